# coreutils over a tree made here: mkdir, cp, mv, ln, chmod, ls -lR, stat,
# needs: bash
# sort, uniq, wc, head, tail, cut, tr, sed, du, rm.
set -euo pipefail
cd "$(mktemp -d)"
mkdir -p a/b/c d
for i in $(seq 1 20); do echo "line $((i % 7)) of $i" >> a/data.txt; done
cp a/data.txt a/b/copy.txt
mv a/b/copy.txt a/b/c/moved.txt
ln -s ../data.txt a/b/link
ln a/data.txt d/hard
chmod 640 a/data.txt
chmod 755 a/b/c
find . -exec touch -h -d '2020-01-02 03:04:05' {} +
ls -lR --time-style=+%F | sed 's/^total .*/total/'
stat -c '%n %a %s %h %F' a/data.txt a/b/link d/hard a/b/c
sort a/data.txt | uniq -c
sort -t' ' -k4 -n a/data.txt | head -3
wc -l -w -c a/data.txt
tail -n 2 a/data.txt | cut -d' ' -f1,2 | tr a-z A-Z
sed -n 's/line \([0-9]\) of 1\([0-9]\)/\2-\1/p' a/data.txt
readlink a/b/link; readlink -f a/b/link | sed "s|$PWD|.|"
du -s --apparent-size -b a | cut -f1
rm -r a/b; ls a
