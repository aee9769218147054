#!/usr/bin/env bash
# Puts an ablation table into the results document, between the markers
#   <!-- ablation:PRESET:begin --> ... <!-- ablation:PRESET:end -->
# (appended as a new section when the markers are not there yet). Used by `make ablation`.
set -euo pipefail
doc=${1:?usage: update-results-doc.sh DOC TABLE.md PRESET}
table=${2:?usage: update-results-doc.sh DOC TABLE.md PRESET}
preset=${3:?usage: update-results-doc.sh DOC TABLE.md PRESET}
[ -s "$table" ] || { echo "update-results-doc: $table is missing or empty" >&2; exit 1; }
begin="<!-- ablation:$preset:begin -->"
end="<!-- ablation:$preset:end -->"
touch "$doc"
tmp="$doc.tmp"
if grep -qF "$begin" "$doc"; then
  awk -v begin="$begin" -v end="$end" -v table="$table" '
    $0 == begin { print; while ((getline line < table) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }' "$doc" > "$tmp"
else
  { cat "$doc"; printf '\n## Ablation, preset `%s`\n\n%s\n' "$preset" "$begin"; cat "$table"; printf '%s\n' "$end"; } > "$tmp"
fi
mv "$tmp" "$doc"
