#!/usr/bin/env bash
# Installs from Debian what the scoring tests (__tests__/scoring-*.test.ts) and
# `npm run local` need: Python 3 with the model libraries the committed model
# was trained with, and the openssl CLI for the emulators' certificates.
# Idempotent: installs only what is missing; runs apt-get update only then.
set -euo pipefail

packages=(python3 python3-sklearn python3-joblib python3-numpy python3-scipy openssl)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "python-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "python-deps: ${packages[*]} already installed"
fi

/usr/bin/python3 - <<'PY'
import joblib, numpy, platform, scipy, sklearn
print(
    f"python-deps: /usr/bin/python3 {platform.python_version()}, scikit-learn {sklearn.__version__}, "
    f"numpy {numpy.__version__}, scipy {scipy.__version__}, joblib {joblib.__version__}"
)
PY
openssl version | sed 's/^/python-deps: /'
