#!/usr/bin/env bash
# Builds the image from a clean checkout of HEAD (what git tracks, nothing of this work tree's
# node_modules, dist or .env) and starts it: the image's user is not root, the compiled sandbox PBX
# starts in it and answers HTTP, and the image's size is printed. Needs a running container engine;
# without one it says so and exits 0, so CI runs it only where `docker info` answers.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "container check skipped: no container engine answers (docker info)"
  exit 0
fi
tag="callops-check:$(git rev-parse --short HEAD)"
ctx="$(mktemp -d)"
name="callops-check-$$"
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$ctx"; }
trap cleanup EXIT
git archive HEAD | tar -x -C "$ctx"
docker build -q -t "$tag" "$ctx" >/dev/null
uid="$(docker run --rm "$tag" id -u)"
[ "$uid" != "0" ] || { echo "container check failed: the image runs as root"; exit 1; }
docker run -d --name "$name" -p 127.0.0.1::8080 "$tag" node dist/sandbox/main.js --host 0.0.0.0 --port 8080 >/dev/null
port="$(docker port "$name" 8080/tcp | head -n1 | sed 's/.*://')"
for _ in $(seq 1 60); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    size="$(docker image inspect "$tag" --format '{{.Size}}')"
    echo "container check passed: image $tag ($((size / 1024 / 1024)) MiB) runs as uid $uid and serves the sandbox on 127.0.0.1:$port"
    exit 0
  fi
  sleep 0.5
done
docker logs "$name" || true
echo "container check failed: the sandbox in the image did not answer within 30 s"
exit 1
