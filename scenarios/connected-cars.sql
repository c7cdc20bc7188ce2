-- The seed tutorial's statements, made idempotent so `edge-ml up` can run again and again:
-- CREATE OR REPLACE keeps each stream's query and offsets but applies a changed definition
-- (IF NOT EXISTS would check only the name and keep a stale threshold or car id pattern).
-- ksqlDB refuses a change it cannot apply in place (another source, a column removed): `edge-ml up`
-- then names the way out. The placeholders are filled in from the scenario file (streams, model.threshold).

-- Raw MQTT records: key = the MQTT topic (as the MQTT Proxy writes it), value = `<eventId>,<readings>`.
CREATE OR REPLACE STREAM CARSENSOR (
    MQTT_TOPIC VARCHAR KEY,
    EVENTID INTEGER,
    SENSORINPUT VARCHAR
  ) WITH (KAFKA_TOPIC='${sourceTopic}', KEY_FORMAT='KAFKA', VALUE_FORMAT='DELIMITED');

-- Every record scored once, with its reconstruction error: NULL where the model cannot score the
-- window. ksqlDB does not reuse a projection in WHERE, so filtering here would score every window
-- twice (and log bad input twice); the filter is the next stream's.
CREATE OR REPLACE STREAM CARSENSOR_SCORED
  WITH (KAFKA_TOPIC='CARSENSOR_SCORED', VALUE_FORMAT='JSON') AS
  SELECT
    MQTT_TOPIC,
    COALESCE(REGEXP_EXTRACT('${carIdPattern}', MQTT_TOPIC, 1), MQTT_TOPIC) AS CARID,
    EVENTID,
    ANOMALY(SENSORINPUT) AS ANOMALY_VAL
  FROM CARSENSOR
  EMIT CHANGES;

-- Every window the model could score, with its reconstruction error.
CREATE OR REPLACE STREAM ${scoresStream}
  WITH (KAFKA_TOPIC='${scoresStream}', VALUE_FORMAT='JSON') AS
  SELECT MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL
  FROM CARSENSOR_SCORED
  WHERE ANOMALY_VAL IS NOT NULL
  EMIT CHANGES;

-- Only the windows whose reconstruction error is above the scenario's threshold.
CREATE OR REPLACE STREAM ${anomaliesStream}
  WITH (KAFKA_TOPIC='${anomaliesStream}', VALUE_FORMAT='JSON') AS
  SELECT MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL
  FROM ${scoresStream}
  WHERE ANOMALY_VAL > ${threshold}
  EMIT CHANGES;
