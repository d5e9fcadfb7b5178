#!/usr/bin/env bash
# The layers of docs/architecture.md, checked on every #include of the sources (tests excluded):
# a file may include only its own layer and the layers below it, PEGTL stays private to
# dsl/parser.cpp, and the file formats and protocols (YAML, JSON, command lines) stay in the
# front ends; and no diagnostic is made from a code string.
#
#   bash tests/layers.sh path/to/repo
#
# Prints every include that breaks a rule (file:line: the include; the rule), then a count;
# exits 1 when any does.
set -u
ROOT=${1:?usage: layers.sh REPO}
cd "$ROOT" || exit 2

# The folders each layer may include from (quoted includes: "folder/file.hpp").
declare -A ALLOWED=(
  [values]="values"
  [grammar]="grammar"
  [dsl]="values dsl"
  [engine]="values dsl engine"
  [authoring]="values dsl engine authoring"
  [api]="values dsl engine records api rubric"
  [include]="rubric"
  [records]="values dsl engine records"
  [service]="values dsl engine authoring records service"
  [lsp]="values dsl engine authoring lsp"
  [tools]="values dsl engine authoring records service lsp tools"
  [python]="values dsl engine authoring records tools"
)
# What python/ may include from tools/: the shared formats (rubric_formats), not the commands.
PYTHON_TOOLS="fact_file ndjson_facts batch_pipeline report explain_output record_file read_file evaluation_date"
# Third-party headers only front ends may include (<prefix/...>).
FRONT_END_ONLY="yaml-cpp nlohmann simdjson CLI boost pybind11 pugixml"

violations=0
report() {
  echo "$1: $2"
  violations=$((violations + 1))
}

checked=0
for layer in "${!ALLOWED[@]}"; do
  [ -d "$layer" ] || { report "$layer" "the layer's folder is missing"; continue; }
  while IFS= read -r file; do
    checked=$((checked + 1))
    while IFS=: read -r line text; do
      if [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"/]+)/ ]]; then
        folder=${BASH_REMATCH[1]}
        if [ "$folder" = grammar ] && [ "$layer" != grammar ]; then
          [ "$file" = dsl/parser.cpp ] ||
            report "$file:$line" "$text; only dsl/parser.cpp sees the grammar (PEGTL stays private to dsl/)"
          continue
        fi
        if [ "$layer" = python ] && [ "$folder" = tools ] &&
          [[ $text =~ \"tools/([^\".]+)\.hpp\" ]] && [[ " $PYTHON_TOOLS " != *" ${BASH_REMATCH[1]} "* ]]; then
          report "$file:$line" "$text; python/ may include only the shared formats of tools/ ($PYTHON_TOOLS)"
          continue
        fi
        case " ${ALLOWED[$layer]} " in
          *" $folder "*) ;;
          *) report "$file:$line" "$text; $layer/ may include only: ${ALLOWED[$layer]}" ;;
        esac
      elif [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"[^\"/]+\" ]]; then
        report "$file:$line" "$text; include with the folder (\"$layer/...\")"
      elif [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^/\>.]+) ]]; then
        library=${BASH_REMATCH[1]}
        if [ "$library" = tao ] && [ "$layer" != grammar ] && [ "$file" != dsl/parser.cpp ]; then
          report "$file:$line" "$text; PEGTL stays in grammar/ and dsl/parser.cpp"
        fi
        case "$layer" in
          tools | api | records | service | python | lsp) ;;
          *)
            case " $FRONT_END_ONLY " in
              *" $library "*) report "$file:$line" "$text; $layer/ reads no file format (front ends only)" ;;
            esac
            ;;
        esac
      fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include' "$file")
  done < <(find "$layer" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.def' \) | sort)
done

# A source folder that is not a layer would escape the check.
for folder in */; do
  folder=${folder%/}
  case "$folder" in
    build* | tests | docs | scripts | guidelines | editors | cmake | corpus | .*) continue ;;
  esac
  if [ -z "${ALLOWED[$folder]+set}" ] &&
    [ -n "$(find "$folder" -type f \( -name '*.cpp' -o -name '*.hpp' \) -print -quit)" ]; then
    report "$folder/" "C++ sources in a folder that is not a layer; add it to tests/layers.sh and docs/architecture.md"
  fi
done

# Diagnostics are made from a kind of the registry (values/diagnostic_kinds.def), never from a
# code written as a string.
while IFS=: read -r file line text; do
  case "$text" in
    *//*\"[EW]0*) ;;  # in a comment
    *) report "$file:$line" "$text; make the diagnostic from its DiagnosticKind, not a code string" ;;
  esac
done < <(grep -rnE '"[EW]0[0-9]{3}"' --include='*.cpp' --include='*.hpp' "${!ALLOWED[@]}" |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')

echo "$checked files checked, $violations includes against the layers or code strings"
[ "$violations" -eq 0 ]
