#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: image_sign
short_description: Sign a pushed container image by digest (containers simple signing, GPG) into a lookaside store
description:
  - Signs the image O(image), pinned by digest, with the GPG key O(key_fingerprint) using
    C(skopeo standalone-sign), and publishes the signature to the lookaside store directory O(store) at
    C(<store>/<repository path>@sha256=<hex>/signature-<n>) (the layout of containers/image; the
    repository path has no registry host), mode 0644 in 0755 folders, ready to be served over HTTPS by
    any static server. C(skopeo), C(podman) and CRI-O verify it with a C(signedBy) policy, and so does
    M(agentfleet.hashistack.fleet_images), the fleet guardrail C(require_signed_images).
  - The manifest is O(manifest), or read from the registry by digest (C(skopeo inspect --raw
    docker://<image>)); its digest must be the pinned one. The new signature is verified with the key's
    public half before it is published.
  - Idempotent - when the store already holds a valid signature of this digest by this key for this
    identity, nothing is signed (a simple signing signature holds a timestamp, so signing again would
    always give new bytes). Other signatures of the image are left alone; a new one takes the first free
    C(signature-<n>).
  - Used by the role C(agent_image) after its push. Runs on the host that has the key (O(gnupg_home)).
version_added: 0.2.0
author:
  - agentfleet maintainers (@agentfleet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the store and reports the signature file it would write; signs nothing.
  diff_mode:
    support: none
  idempotent:
    description: A valid signature of the digest by the key for the identity is kept.
    support: full
  platform:
    platforms: posix
requirements:
  - skopeo, gpg and gpgv on the host (Debian packages skopeo, gnupg, gpgv)
options:
  image:
    description:
      - The pushed image, pinned by digest - C(registry/repo[:tag]@sha256:<64 hex>) (the digest the push
        returned; the C(pinned) value of a build record).
    type: str
    required: true
  identity:
    description:
      - The reference the signature vouches for (C(critical.identity.docker-reference)). Default - O(image)
        without its digest (C(registry/repo[:tag])). Must be in the image's repository.
    type: str
  manifest:
    description:
      - A file holding the image's manifest, exactly as pushed. Default - read it from the registry.
    type: path
  key_fingerprint:
    description:
      - Full fingerprint (40 hex digits) of the signing key in O(gnupg_home).
    type: str
    required: true
  gnupg_home:
    description:
      - GnuPG home holding the secret key (E(GNUPGHOME)). Default - the environment's, else C(~/.gnupg).
    type: path
  passphrase:
    description:
      - Passphrase of the key, if it has one. Handed to skopeo in a 0600 file that is removed afterwards;
        never logged or returned.
    type: str
  store:
    description:
      - The lookaside signature store directory (it must exist).
    type: path
    required: true
  tls_verify:
    description:
      - Verify the registry's TLS certificate when reading the manifest.
    type: bool
    default: true
  cert_dir:
    description:
      - Folder of certificates (C(*.crt) CA files, client C(*.cert)/C(*.key)) for the registry (skopeo C(--cert-dir)).
    type: path
  authfile:
    description:
      - Registry credentials file (skopeo C(--authfile)).
    type: path
  timeout:
    description:
      - Seconds for each skopeo and gpg call.
    type: float
    default: 60.0
seealso:
  - module: agentfleet.hashistack.fleet_images
"""

EXAMPLES = r"""
- name: Sign the pushed agent image and publish the signature
  agentfleet.hashistack.image_sign:
    image: "{{ build.pinned }}"
    key_fingerprint: 0EA6674DA6515E706E780A1DE4F04EBFDCB78CB0
    gnupg_home: /etc/agentfleet/gnupg
    passphrase: "{{ vault_signing_passphrase }}"
    store: /srv/sigstore
  register: signed
"""

RETURN = r"""
signature:
  description: Path of the signature file in the store (written, kept, or in check mode the one that would be written).
  returned: success
  type: str
  sample: /srv/sigstore/agents/retriever@sha256=0b1c2d.../signature-1
digest:
  description: The signed manifest digest.
  returned: success
  type: str
  sample: sha256:0b1c2d...
identity:
  description: The signed reference.
  returned: success
  type: str
  sample: registry.example.com/agents/retriever:1.4.0
signed_by:
  description: Fingerprint of the signing key (its primary key).
  returned: success
  type: str
  sample: 0EA6674DA6515E706E780A1DE4F04EBFDCB78CB0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.agentfleet.hashistack.plugins.module_utils.images.signer import SignError, sign


def main():
    module = AnsibleModule(
        argument_spec=dict(
            image=dict(type="str", required=True),
            identity=dict(type="str"),
            manifest=dict(type="path"),
            key_fingerprint=dict(type="str", required=True, no_log=False),  # public: names the key
            gnupg_home=dict(type="path"),
            passphrase=dict(type="str", no_log=True),
            store=dict(type="path", required=True),
            tls_verify=dict(type="bool", default=True),
            cert_dir=dict(type="path"),
            authfile=dict(type="path"),
            timeout=dict(type="float", default=60.0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, got %s" % p["timeout"])
    options = ["--tls-verify=%s" % ("true" if p["tls_verify"] else "false")]
    if p["cert_dir"]:
        options.append("--cert-dir=%s" % p["cert_dir"])
    if p["authfile"]:
        options.append("--authfile=%s" % p["authfile"])
    try:
        result = sign(p["image"], p["store"], p["key_fingerprint"], gnupg_home=p["gnupg_home"],
                      passphrase=p["passphrase"], manifest=p["manifest"], identity=p["identity"],
                      skopeo_options=options, timeout=p["timeout"], check=module.check_mode)
    except (SignError, OSError, ValueError) as exc:
        module.fail_json(msg="image_sign %s: %s" % (p["image"], exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
