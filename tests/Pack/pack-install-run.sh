#!/usr/bin/env bash
# Package smoke test (issue 14): packs PoolCluster, pool-seed and pool-node into a temporary folder, installs both
# tools from it into a temporary tool path, starts a seed and a node with the installed tools on free ports, and
# runs a fresh console app that references the PoolCluster package from that folder and maps over the cluster.
# Cleans up everything it made, processes included. Prints one closing line: "pack-install-run: PASS|FAIL ...".
#   bash tests/Pack/pack-install-run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/Pack"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$(mktemp -d)"
# A version of its own per run: NuGet caches packages by id and version, so a fixed one would let a later run
# install yesterday's package.
version="0.0.0-smoke.$(date +%s).$$"
pids=()
started=$SECONDS

fail() { echo "pack-install-run: FAIL: $*" >&2; exit 1; }

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  local packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  for id in poolcluster pool-seed pool-node; do
    rm -rf "${packages:?}/$id/$version"
    rmdir "$packages/$id" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# Waits (bounded) until a log file has a line matching a regex; prints the first match.
wait_line() {
  local file=$1 regex=$2 seconds=$3 what=$4 pid=$5
  for _ in $(seq 1 $((seconds * 10))); do
    if line=$(grep -m1 -E "$regex" "$file" 2>/dev/null); then echo "$line"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; fail "$what exited before it was up"; }
    sleep 0.1
  done
  cat "$file" >&2
  fail "$what was not up within $seconds s"
}

echo "pack-install-run: packing $version into $work/feed"
for project in Pool.Core Pool.Seed Pool.Node; do
  dotnet pack "$root/src/$project" -c Release -o "$work/feed" -p:Version="$version" -v q --nologo \
    >"$work/pack-$project.log" 2>&1 || { cat "$work/pack-$project.log" >&2; fail "dotnet pack src/$project"; }
done
for package in "PoolCluster.$version.nupkg" "PoolCluster.$version.snupkg" "pool-seed.$version.nupkg" "pool-node.$version.nupkg"; do
  [ -f "$work/feed/$package" ] || fail "dotnet pack did not make $package"
done

for tool in pool-seed pool-node; do
  dotnet tool install --tool-path "$work/tools" --add-source "$work/feed" --version "$version" "$tool" \
    >"$work/install-$tool.log" 2>&1 || { cat "$work/install-$tool.log" >&2; fail "dotnet tool install $tool"; }
done

# Free ports: the seed binds port 0 and prints the address it got; the node and the client do the same.
"$work/tools/pool-seed" --host 127.0.0.1 --port 0 >"$work/seed.log" 2>&1 &
pids+=($!)
seed=$(wait_line "$work/seed.log" '^Pool\.Seed up at ' 60 "the installed pool-seed" "${pids[-1]}" | sed -E 's/^Pool\.Seed up at //')
"$work/tools/pool-node" --seed "$seed" --host 127.0.0.1 --port 0 --processes 2 >"$work/node.log" 2>&1 &
pids+=($!)
wait_line "$work/node.log" '^Pool\.Node up at .* offering 2 processes$' 60 "the installed pool-node" "${pids[-1]}" >/dev/null

# The console app: in its own folder, outside the repository (no Directory.*.props), with a nuget.config that adds the
# local feed to the machine's configured sources (which supply Akka and Hyperion).
mkdir -p "$work/app"
cp "$here/app/Program.cs" "$work/app/Program.cs"
sed "s/@VERSION@/$version/" "$here/app/PackSmoke.csproj.in" >"$work/app/PackSmoke.csproj"
cat >"$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="poolcluster-local" value="$work/feed" />
  </packageSources>
</configuration>
XML
(cd "$work/app" && timeout 120 dotnet build -v q --nologo >"$work/app-build.log" 2>&1) \
  || { cat "$work/app-build.log" >&2; fail "building the console app against the PoolCluster package"; }
grep -q "\"PoolCluster/$version\"" "$work/app/obj/project.assets.json" || fail "the console app did not resolve the PoolCluster package $version"
if ! (cd "$work/app" && timeout 120 dotnet bin/Debug/net10.0/PackSmoke.dll "$seed" >"$work/app.log" 2>&1); then
  cat "$work/app.log" >&2; echo "--- node log" >&2; cat "$work/node.log" >&2
  fail "the console app did not map over the cluster"
fi
grep -E '^PackSmoke: mapped' "$work/app.log"
echo "pack-install-run: PASS in $((SECONDS - started)) s (packages, tools from a local feed, a console app mapping over the installed seed and node)"
