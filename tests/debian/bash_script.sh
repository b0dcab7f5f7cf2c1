# bash itself: functions, arithmetic, arrays, here-documents, subshells,
# needs: bash
# pipes, redirections, traps and reading files.
set -euo pipefail
cd "$(mktemp -d)"
fib() { local n=$1; if (( n < 2 )); then echo "$n"; else echo $(( $(fib $((n-1))) + $(fib $((n-2))) )); fi; }
echo "fib 15 = $(fib 15)"
declare -A colour=([apple]=red [sky]=blue)
for k in $(printf '%s\n' "${!colour[@]}" | sort); do echo "$k is ${colour[$k]}"; done
cat > notes.txt <<'END'
one
two
three
END
while read -r line; do echo "line: $line (${#line})"; done < notes.txt
( cd /; pwd ) ; pwd | grep -c tmp
echo "piped: $(seq 1 100 | paste -sd+ | bc 2>/dev/null || seq 1 100 | awk '{s+=$1} END {print s}')"
trap 'echo trapped EXIT' EXIT
x=$( { echo out; echo err >&2; } 2>&1 )
echo "captured: $x"
echo "exit of false in a subshell: $(false; echo $?)"
[[ -f notes.txt && ! -e missing ]] && echo "tests ok"
