#!/usr/bin/env bash
# The curl requests of Coder's API reference, as written there with only
# the host and port changed (and API_KEY replaced by the token): create the
# first user, log in, fetch /api/v2/users/me, log out. The request bodies
# are the reference's "Body parameter" examples with real values.
set -euo pipefail

binary="${USHER_BINARY:?USHER_BINARY must name the usher binary}"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" server --http-address 127.0.0.1:0 --sqlite-path "$work/usher.db" \
  2>"$work/server.log" &
pid=$!
for _ in $(seq 1 600); do
  grep -q 'msg="listening"' "$work/server.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done
address="$(grep -o 'address=[0-9.]*:[0-9]*' "$work/server.log" | head -n1 | cut -d= -f2)"
[ -n "$address" ] || { echo "server did not report its address"; exit 1; }
server="http://$address"

fail() { echo "FAIL: $*" >&2; cat "$work/server.log" >&2; exit 1; }

# Run a documented curl command line (its first word is "curl"), keeping
# the body in $work/out and printing the status code.
request() {
  shift
  curl -s -o "$work/out" -w '%{http_code}' "$@"
}

# Check initial user created
status=$(request curl -X GET $server/api/v2/users/first \
  -H 'Accept: application/json' \
  -H 'Coder-Session-Token: API_KEY')
[ "$status" = 404 ] || fail "GET /users/first before setup: $status"

# Create initial user
status=$(request curl -X POST $server/api/v2/users/first \
  -H 'Content-Type: application/json' \
  -H 'Accept: application/json' \
  -H 'Coder-Session-Token: API_KEY' \
  -d '{
  "email": "admin@example.com",
  "name": "Admin User",
  "onboarding_info": {
    "newsletter_marketing": true,
    "newsletter_releases": true
  },
  "password": "Correct-Horse-Battery-42",
  "trial": true,
  "trial_info": {
    "company_name": "Example",
    "country": "NZ",
    "developers": "1-10",
    "first_name": "Admin",
    "job_title": "Operator",
    "last_name": "User",
    "phone_number": "000"
  },
  "username": "admin"
}')
[ "$status" = 201 ] || fail "POST /users/first: $status $(cat "$work/out")"

# Log in user
status=$(request curl -X POST $server/api/v2/users/login \
  -H 'Content-Type: application/json' \
  -H 'Accept: application/json' \
  -d '{
  "email": "admin@example.com",
  "password": "Correct-Horse-Battery-42"
}')
[ "$status" = 201 ] || fail "POST /users/login: $status $(cat "$work/out")"
API_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session_token"])' "$work/out")"

# Get user by name
status=$(request curl -X GET $server/api/v2/users/me \
  -H 'Accept: application/json' \
  -H "Coder-Session-Token: $API_KEY")
[ "$status" = 200 ] || fail "GET /users/me: $status"
python3 - "$work/out" <<'PY' || fail "unexpected /users/me body: $(cat "$work/out")"
import json, sys
me = json.load(open(sys.argv[1]))
assert me["username"] == "admin", me
assert me["email"] == "admin@example.com", me
assert me["status"] == "active", me
assert [r["name"] for r in me["roles"]] == ["owner"], me
PY

# Log out user
status=$(request curl -X POST $server/api/v2/users/logout \
  -H 'Accept: application/json' \
  -H "Coder-Session-Token: $API_KEY")
[ "$status" = 200 ] || fail "POST /users/logout: $status"

status=$(curl -s -o "$work/out" -w '%{http_code}' \
  -H "Coder-Session-Token: $API_KEY" "$server/api/v2/users/me")
[ "$status" = 401 ] || fail "GET /users/me after logout: $status"
echo "reference curl requests: ok"
