#!/usr/bin/env bash
# Renders every overlay under k8s/overlays into target/k8s/<overlay>.yaml with kubectl kustomize, then validates
# every object offline against the Kubernetes OpenAPI schemas and the CRD schemas of the Prometheus Operator and of
# KEDA (deploy/k8s/validate: npm packages pinned by its package-lock.json). K8sManifestsTest then checks the rendered
# overlays against the service. Components (k8s/components) are rendered through the overlays that include them:
# demo-keda is the demo overlay with the KEDA component, so the demo is checked both without it and with it.
# Run from anywhere: bash deploy/k8s/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "deploy/k8s/check.sh: $*" >&2; exit 1; }

command -v kubectl >/dev/null \
    || fail "kubectl not found: it renders the overlays (kubectl kustomize). Install a current kubectl (kustomize v5+);
Debian's kubernetes-client is 1.20 with kustomize v2 and too old to render these overlays."
# kubectl 1.24+ prints its kustomize version; the overlays need v5 (labels with includeTemplates).
kustomize=$(kubectl version --client -o json 2>/dev/null | sed -n 's/.*"kustomizeVersion": *"\(v[0-9][0-9.]*\)".*/\1/p')
case "$kustomize" in
    v[5-9].*|v[1-9][0-9].*) ;;
    *) fail "$(command -v kubectl) bundles kustomize ${kustomize:-older than v4 (it prints no version)}: the overlays
need kustomize v5+ (kubectl 1.27 or newer). Debian's kubernetes-client (1.20) is too old." ;;
esac
command -v node >/dev/null && command -v npm >/dev/null \
    || fail "node and npm not found: they run the schema validator (deploy/k8s/validate)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] \
    || fail "node $(node --version) is too old for the schema validator: it needs Node.js 20 or newer"

# Install the validator only when its lockfile changed since the last install: npm ci wipes node_modules each time.
validator=deploy/k8s/validate
if ! cmp -s "$validator/package-lock.json" "$validator/node_modules/.installed-package-lock.json"; then
    echo "installing the schema validator (npm ci in $validator)"
    (cd "$validator" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
        || fail "npm ci failed in $validator"
    cp "$validator/package-lock.json" "$validator/node_modules/.installed-package-lock.json"
fi

# A component that no overlay includes would be neither rendered nor validated.
for component in k8s/components/*/; do
    [ -d "$component" ] || continue
    name=$(basename "$component")
    grep -qsE "^[[:space:]]*-[[:space:]]*(\.\./)+components/$name/?[[:space:]]*(#.*)?$" k8s/overlays/*/kustomization.yaml \
        || fail "component $component is included by no overlay under k8s/overlays: it would go unchecked"
done

rm -rf target/k8s && mkdir -p target/k8s
for overlay in k8s/overlays/*/; do
    name=$(basename "$overlay")
    kubectl kustomize "$overlay" > "target/k8s/$name.yaml" || fail "kubectl kustomize $overlay failed"
    echo "rendered $overlay ($(grep -c '^kind:' "target/k8s/$name.yaml") objects) into target/k8s/$name.yaml"
done
node "$validator/validate.mjs" target/k8s/*.yaml
