# Sourced by scripts/docs-check.mjs before the documented commands. curl becomes a function that
# records each call's step (the command's index, which docs-check.mjs maps to its file and line),
# status and body, then answers as curl would; a status other than the page's stops the walk-through there.
set -eE -o pipefail
trap 'echo "$DOC_STEP" > "$DOC_DIR/failed"' ERR
curl() {
  local body args=() arg code
  body=$(mktemp "$DOC_DIR/body.XXXXXX")
  for arg in "$@"; do args+=("${arg//"$DOC_DOCUMENTED"/$DOC_API}"); done
  code=$(command curl --max-time 30 "${args[@]}" -o "$body" -w '%{http_code}') || { echo "curl could not reach the Worker" >&2; return 1; }
  printf '%s\t%s\t%s\n' "$DOC_STEP" "$code" "$body" >> "$DOC_DIR/calls.tsv"
  cat "$body"
  [ "$code" = "$DOC_EXPECT" ]
}
