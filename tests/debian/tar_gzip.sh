# tar with gzip: pack a tree, list it, unpack it elsewhere, compare.
# needs: tar gzip
set -euo pipefail
cd "$(mktemp -d)"
mkdir -p src/sub/deeper
for i in $(seq 1 50); do printf 'file %d\n%.0s' "$i" $(seq 1 $i) > "src/f$i.txt"; done
head -c 200000 /dev/zero | tr '\0' 'z' > src/sub/big
echo deep > src/sub/deeper/x
ln -s f1.txt src/link
tar czf out.tgz src
tar tzf out.tgz | sort
mkdir dst && tar xzf out.tgz -C dst
diff -r src dst/src && echo "trees equal"
gzip -c src/sub/big | gunzip | wc -c
cat src/f3.txt | gzip -9 | gzip -d
