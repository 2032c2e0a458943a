#!/usr/bin/env bash
# Runs a command against a fresh solana-test-validator on loopback, with the SBF build of
# the program loaded, and stops the validator on every exit path:
#
#   scripts/build-sbf.sh        # target/deploy/floodgate.so
#   scripts/validator.sh cargo test -p floodgate-cli --test cli -- --ignored e2e::
#
# The command gets FLOODGATE_E2E_URL (the JSON-RPC URL). The validator comes from
# ../shared/validator (a prebuilt Agave 4.2.2; it cannot be downloaded here), installed
# under target/validator; its ledger is target/e2e-ledger, its log target/e2e-validator.log.
# Ports: RPC_PORT (default 18899; the WebSocket is the next one), FAUCET_PORT (19900),
# and gossip/TPU/TVU in DYNAMIC_PORTS (18000-18200), away from a default validator's.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: scripts/validator.sh COMMAND [ARGS...]" >&2; exit 2; }
shared=${VALIDATOR_DIR:-../shared/validator}
bin=target/validator/solana-test-validator
program=target/deploy/floodgate.so
rpc_port=${RPC_PORT:-18899}
faucet_port=${FAUCET_PORT:-19900}
dynamic_ports=${DYNAMIC_PORTS:-18000-18200}
[ -f "$program" ] || { echo "no $program: run scripts/build-sbf.sh first" >&2; exit 1; }
[ -x "$bin" ] || bash "$shared/install.sh" target/validator >/dev/null
url="http://127.0.0.1:$rpc_port"
if curl -s -m 2 -o /dev/null "$url"; then
  echo "something already answers on port $rpc_port: set RPC_PORT" >&2
  exit 1
fi

"$bin" --reset --quiet \
  --ledger target/e2e-ledger \
  --bind-address 127.0.0.1 \
  --rpc-port "$rpc_port" --faucet-port "$faucet_port" \
  --dynamic-port-range "$dynamic_ports" \
  --bpf-program FLoodgatexW7Br3cmW4Lf8nHgKE7zEQPAWpW8X82zP3f "$program" \
  >target/e2e-validator.log 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  # SIGTERM first; a validator that does not stop within 20 s gets SIGKILL.
  for _ in $(seq 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

health='{"jsonrpc":"2.0","id":1,"method":"getHealth"}'
for i in $(seq 120); do
  if curl -s -m 2 -X POST -H 'Content-Type: application/json' -d "$health" "$url" | grep -q '"ok"'; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the validator exited; its log:" >&2
    tail -n 30 target/e2e-validator.log >&2
    exit 1
  fi
  [ "$i" -lt 120 ] || { echo "the validator did not answer in 60 s" >&2; exit 1; }
  sleep 0.5
done
echo "validator up at $url (pid $pid)" >&2
FLOODGATE_E2E_URL=$url "$@"
