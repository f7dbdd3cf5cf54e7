#!/usr/bin/env bash
# Starts the packaged service, the way the README and the benchmarks run it:
#   deploy/start.sh [extra JVM or -D options]       e.g. deploy/start.sh -Dquarkus.http.port=8081
# - finds a JDK 21+ (JAVA_HOME if it is one, else the newest under /usr/lib/jvm), whatever `java` is on the PATH;
# - builds target/quarkus-app if it is missing (./mvnw package -DskipTests);
# - on a JDK 25+, starts from the AOT cache target/quarkus-app/app.aot (Project Leyden), training it first if it is
#   missing or older than the jar (deploy/loadtest/aot_cache.py: about 45 s, most of it the service under load so
#   that the cache holds the hot paths' method profiles); JDK 21-24 start without it, as they must.
# Options go to the JVM before -jar; environment variables (QUARKUS_HTTP_PORT, THREADLAB_ADMIN_TOKEN, ...) apply too.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/jdk.sh
JAVA_HOME=$(select_jdk)
export JAVA_HOME
jar=target/quarkus-app/quarkus-run.jar
cache=target/quarkus-app/app.aot
if [ ! -f "$jar" ]; then
    echo "building the service (./mvnw package -DskipTests) ..." >&2
    ./mvnw -B -ntp -q package -DskipTests
fi
flags=()
if [ "$(java_major "$JAVA_HOME")" -ge 25 ]; then
    if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
        echo "training the AOT cache for this JDK and jar (once per build) ..." >&2
        python3 deploy/loadtest/aot_cache.py >&2
    fi
    flags+=("-XX:AOTCache=$cache")
fi
exec "$JAVA_HOME/bin/java" "${flags[@]}" "$@" -jar "$jar"
