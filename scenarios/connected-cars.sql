-- The seed tutorial's statements, made idempotent (IF NOT EXISTS) so `edge-ml up` can run twice.
-- The placeholders are filled in from the scenario file (streams, model.threshold).

-- Raw MQTT records: key = the MQTT topic (as the MQTT Proxy writes it), value = `<eventId>,<readings>`.
CREATE STREAM IF NOT EXISTS CARSENSOR (
    MQTT_TOPIC VARCHAR KEY,
    EVENTID INTEGER,
    SENSORINPUT VARCHAR
  ) WITH (KAFKA_TOPIC='${sourceTopic}', KEY_FORMAT='KAFKA', VALUE_FORMAT='DELIMITED');

-- Every window the model can score, with its reconstruction error.
CREATE STREAM IF NOT EXISTS ${scoresStream}
  WITH (KAFKA_TOPIC='${scoresStream}', VALUE_FORMAT='JSON') AS
  SELECT
    MQTT_TOPIC,
    COALESCE(REGEXP_EXTRACT('${carIdPattern}', MQTT_TOPIC, 1), MQTT_TOPIC) AS CARID,
    EVENTID,
    ANOMALY(SENSORINPUT) AS ANOMALY_VAL
  FROM CARSENSOR
  WHERE ANOMALY(SENSORINPUT) IS NOT NULL
  EMIT CHANGES;

-- Only the windows whose reconstruction error is above the scenario's threshold.
CREATE STREAM IF NOT EXISTS ${anomaliesStream}
  WITH (KAFKA_TOPIC='${anomaliesStream}', VALUE_FORMAT='JSON') AS
  SELECT MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL
  FROM ${scoresStream}
  WHERE ANOMALY_VAL > ${threshold}
  EMIT CHANGES;
