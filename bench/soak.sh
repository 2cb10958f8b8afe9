#!/usr/bin/env bash
# Long chaos soak: the chaos test (real seed and node processes, children killed every ~200 ms, a node killed -9)
# run round after round with a large job, until the time is up or a round fails.
#   bash bench/soak.sh [minutes=30]        POOL_CHAOS_ITEMS=50000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
export POOL_CHAOS_ITEMS="${POOL_CHAOS_ITEMS:-50000}"
dotnet build tests/Pool.Tests -c Release
end=$((SECONDS + minutes * 60))
round=0
while [ "$SECONDS" -lt "$end" ]; do
  round=$((round + 1))
  echo "soak round $round: $POOL_CHAOS_ITEMS items ($(( (end - SECONDS) / 60 )) min left)"
  dotnet test tests/Pool.Tests -c Release --no-build --filter "FullyQualifiedName~ChaosTests" --logger "console;verbosity=minimal"
done
echo "soak passed: $round rounds without a lost or duplicated result"
