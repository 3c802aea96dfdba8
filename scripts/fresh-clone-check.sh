#!/usr/bin/env bash
# A new user's first hour, checked: clone the repository (its committed HEAD) into an empty folder with nothing
# beside it (no ../shared), run the README's first command there with a timeout and no extra environment, check that
# the demo printed its score and served the dashboard (with jobs in-process), stop it, then run the README's second
# command (the full `npm test`) in that clone. Run by .ci/run. Exit status: 0 only when every step passed.
#   DEMO_TIMEOUT_S   limit of `npm ci && npm run demo` until the dashboard answers (default 900)
#   KEEP_CLONE=1     leave the clone in place for inspection
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
demo_timeout=${DEMO_TIMEOUT_S:-900}
port=4000 # the demo's default, as the README runs it

log() { printf '\n== fresh clone: %s\n' "$*"; }
fail() { printf '\nfresh clone check FAILED: %s\n' "$*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/spinegraph-fresh-XXXXXX")
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then kill -TERM -- "-$demo_pid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$demo_pid" 2>/dev/null || true; fi
  if [ "${KEEP_CLONE:-0}" = 1 ]; then echo "clone kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

log "clone into $work/spinegraph"
git clone -q "$repo" "$work/spinegraph"
cd "$work/spinegraph"
[ ! -e ../shared ] || fail "../shared exists beside the clone"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is already in use; the README's demo serves there"; fi

# No extra environment: only what a login shell has (PATH, HOME, the npm cache in HOME); nothing of this process's.
clean_env=(env -i "PATH=$PATH" "HOME=$HOME" "TERM=${TERM:-dumb}" "LANG=${LANG:-C.UTF-8}")
readme_first=$(awk '/^```bash/{getline; print; exit}' README.md | sed 's/[[:space:]]*#.*$//')
[ "$readme_first" = "npm ci && npm run demo" ] || fail "README's first command is now '$readme_first'; update this script"

log "README's first command: $readme_first (timeout ${demo_timeout}s)"
started=$(date +%s)
setsid "${clean_env[@]}" bash -c "$readme_first" >"$work/demo.log" 2>&1 &
demo_pid=$!
served=0
while [ $(($(date +%s) - started)) -lt "$demo_timeout" ]; do
  if ! kill -0 "$demo_pid" 2>/dev/null; then tail -40 "$work/demo.log"; fail "the demo exited before serving the dashboard"; fi
  if grep -q "^5\\. API: " "$work/demo.log" && curl -fsS "http://127.0.0.1:$port/" -o "$work/dashboard.html" 2>/dev/null; then served=1; break; fi
  sleep 3
done
[ "$served" = 1 ] || { tail -40 "$work/demo.log"; fail "no dashboard on :$port within ${demo_timeout}s"; }
echo "demo serving after $(($(date +%s) - started)) s"
grep -E 'evaluation against the labels .*score [0-9]+\.[0-9]{4}' "$work/demo.log" || fail "the demo printed no score"
grep -q '<title>spinegraph</title>' "$work/dashboard.html" || fail "/ is not the dashboard"
curl -fsS "http://127.0.0.1:$port/js/app.js" -o /dev/null || fail "the dashboard's script is not served"
ready=$(curl -fsS "http://127.0.0.1:$port/readyz") || fail "/readyz does not answer"
echo "$ready" | grep -q '"jobs":"in-process"' || fail "/readyz does not say jobs run in-process: $ready"
grep -q 'submission: .* rows' "$work/demo.log" || fail "the demo wrote no submission"
kill -TERM -- "-$demo_pid"
wait "$demo_pid" 2>/dev/null || true
demo_pid=

log "README's second command: npm test"
readme_second=$(awk '/^```bash/{getline; getline; print; exit}' README.md | sed 's/[[:space:]]*#.*$//')
[ "$readme_second" = "npm test" ] || fail "README's second command is now '$readme_second'; update this script"
"${clean_env[@]}" bash -c "$readme_second" || fail "npm test failed in the fresh clone"
log "passed"
