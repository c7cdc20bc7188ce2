#!/usr/bin/env bash
# npm run bench:udf: single-thread scores per second of the ANOMALY UDF, payload parsing included.
# Uses the built jar (mvn -B -f udf-jar/pom.xml package), else the committed one; prints JSON.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/../target/edge-ml-anomaly-udf.jar"
[ -f "$jar" ] || jar="$here/../dist/edge-ml-anomaly-udf.jar"
exec java -Xms512m -Xmx512m -cp "$jar" "$here/UdfBench.java" "$here/../src/test/resources/labelled-windows.csv"
