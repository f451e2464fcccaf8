# Sourced by scripts/docs-check.mjs before the README's commands. curl becomes a function that
# records each call's README line, status and body, then answers as curl would; a status other
# than the README's stops the walk-through there.
set -eE -o pipefail
trap 'echo "$DOC_LINE" > "$DOC_DIR/failed"' ERR
curl() {
  local body args=() arg code
  body=$(mktemp "$DOC_DIR/body.XXXXXX")
  for arg in "$@"; do args+=("${arg//"$DOC_DOCUMENTED"/$DOC_API}"); done
  code=$(command curl --max-time 30 "${args[@]}" -o "$body" -w '%{http_code}') || { echo "curl could not reach the Worker" >&2; return 1; }
  printf '%s\t%s\t%s\n' "$DOC_LINE" "$code" "$body" >> "$DOC_DIR/calls.tsv"
  cat "$body"
  [ "$code" = "$DOC_EXPECT" ]
}
