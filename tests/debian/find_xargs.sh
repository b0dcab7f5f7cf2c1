# find | xargs over a tree: names, types, sizes, -exec and -print0.
# needs: bash
set -euo pipefail
cd "$(mktemp -d)"
mkdir -p x/y/z w
for n in a b c; do echo "$n$n$n" > "x/$n.txt"; echo "$n" > "x/y/$n.log"; done
touch w/empty; ln -s x/a.txt w/alink
find . | sort
find . -type f -name '*.txt' | sort | xargs wc -c
find . -type l | xargs readlink
find . -type f -print0 | sort -z | xargs -0 -n 2 echo
find . -empty | sort
find x -name '*.log' -exec cat {} + | sort
find . -maxdepth 1 -type d | sort
