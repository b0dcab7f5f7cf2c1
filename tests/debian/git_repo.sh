# git: init, add, commit, log, diff, branch.
# needs: git
set -euo pipefail
cd "$(mktemp -d)"
export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
export HOME="$PWD"
git init -q -b main repo
cd repo
echo one > a.txt
git add a.txt
git commit -q -m first
echo two >> a.txt
echo new > b.txt
git add -A
git commit -q -m second
git log --format='%H %s'
git diff HEAD~1 --stat
git branch side
git checkout -q side
echo side > c.txt && git add c.txt && git commit -q -m third
git log --oneline main..side
git status --short
