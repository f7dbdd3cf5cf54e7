# Sourced by .ci/run and the deploy scripts: select_jdk prints a JDK 21+ home (JAVA_HOME if it is one, else the
# newest under /usr/lib/jvm) or fails with a clear message.

java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
}

select_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        local version
        version=$(java_major "$JAVA_HOME")
        if [ -n "$version" ] && [ "$version" -ge 21 ]; then
            echo "$JAVA_HOME"
            return
        fi
    fi
    local best="" best_version=0 candidate version
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/javac" ] || continue
        version=$(java_major "$candidate")
        if [ -n "$version" ] && [ "$version" -ge 21 ] && [ "$version" -gt "$best_version" ]; then
            best="$candidate"
            best_version="$version"
        fi
    done
    if [ -z "$best" ]; then
        echo "no JDK 21+ found: set JAVA_HOME to one, or install one under /usr/lib/jvm" >&2
        return 1
    fi
    echo "$best"
}
