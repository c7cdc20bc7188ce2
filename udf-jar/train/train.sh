#!/usr/bin/env bash
# Trains the ANOMALY autoencoder (npm run train:model): generates normal training windows and a
# labelled validation set with fixed seeds, builds the model and exports it as an H2O MOJO (train.py;
# pip install -r udf-jar/train/requirements.txt), bundles the MOJO into the UDF jar, scores the
# validation set with that jar, and writes the chosen threshold into scenarios/connected-cars.yaml.
# Evaluation (edge-ml model eval) uses other seeds.
set -euo pipefail
cd "$(dirname "$0")/../.."

TRAIN_SEED=1001
VALID_SEED=2002
MODEL_DIR=udf-jar/src/main/resources/dev/edgeml/udf/model
UDF_JAR=udf-jar/target/edge-ml-anomaly-udf.jar
SCENARIO=scenarios/connected-cars.yaml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tsc emits JavaScript even when some other module has a type error; the generator is all we need.
npx tsc -p . >/dev/null || true
# Many cars, few windows each: the model must generalise over car profiles, not learn 200 of them.
node bin/edge-ml generate --output "$work/train.csv" --anomaly-rate 0 --seed "$TRAIN_SEED" --cars 2000 --count 10
node bin/edge-ml generate --output "$work/valid.csv" --anomaly-rate 0.05 --seed "$VALID_SEED" --cars 200 --count 50

# One BLAS thread: fast and reproducible, and fair to a shared machine.
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 udf-jar/train/train.py fit "$work/train.csv" "$MODEL_DIR"
mvn -B -q -f udf-jar/pom.xml package -DskipTests

# CSV rows (car_id,event_id,label,r1..r210) back into the seed's payload format, scored by the jar.
awk -F, 'NR > 1 { printf "%s,", $2; for (i = 4; i <= NF; i++) printf "%s%s", $i, (i < NF ? "# " : "\n") }' \
  "$work/valid.csv" > "$work/valid.payloads"
java -cp "$UDF_JAR" dev.edgeml.udf.ScoreCli < "$work/valid.payloads" > "$work/valid.scores"
summary=$(python3 udf-jar/train/train.py threshold "$work/valid.csv" "$work/valid.scores")
echo "validation: $summary"
threshold=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["threshold"])' "$summary")

# Replace only the threshold line of the model: block.
sed -i -E "/^model:/,/^[^ #]/ s/^(  threshold: ).*/\1$threshold/" "$SCENARIO"
echo "model.threshold = $threshold written to $SCENARIO"

# The committed jars must be what a fresh build gives (test/udf-jar.test.ts checks).
mvn -B -q -f udf-jar/pom.xml package
cp udf-jar/target/edge-ml-anomaly-udf.jar udf-jar/target/edge-ml-processor.jar udf-jar/dist/
