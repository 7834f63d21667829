# Sourced by ./memvirt and .ci/run: sets MEMVIRT_JAVA_HOME to a JDK >= 25, or fails with a clear message.
# Order: $JAVA_HOME if it is a JDK >= 25, then every JDK installed beside the default one (/usr/lib/jvm/*,
# /opt/java/*, /usr/java/*), then the JDK that `javac` on PATH belongs to.
memvirt_jdk_feature() {  # prints the feature release of the JDK at $1 (e.g. 25), or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$rel" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel" | head -n 1
}
memvirt_find_jdk() {
  local want=25 c v tried=()
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /usr/java/* \
           "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    tried+=("$c")
    v=$(memvirt_jdk_feature "$c")
    if [ -n "$v" ] && [ "$v" -ge "$want" ]; then MEMVIRT_JAVA_HOME="$c"; export MEMVIRT_JAVA_HOME; return 0; fi
  done
  echo "memvirt: no JDK >= $want found (looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/*, /opt/java/*, /usr/java/* and javac on PATH); install one, e.g. a Temurin 25 JDK, or set JAVA_HOME" >&2
  return 1
}
