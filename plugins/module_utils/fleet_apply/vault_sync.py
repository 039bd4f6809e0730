# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge a fleet's Vault objects in bulk: ACL policies and JWT roles (plain Python).

Works over the collection's ``VaultClient`` (get/list/post/delete). Reading, comparing
and writing go through the same functions as the Vault modules (``vault/objects.py``
``converge``/``remove``, ``vault/mounts.py``), so ``changed`` and check mode follow one rule.
Ownership (exact, ``fleet.ownership``): a policy is the fleet's when its first line is the
renderer's header naming this fleet and the policy's own name; a JWT role when its name
splits into (this fleet, tenant, agent) and it grants exactly its own policy, which this
fleet owned before the run. Anything else is refused by apply and skipped by prune and
the kill switch. With ``adopt``, a policy without any agentfleet header is taken over (its
header written), and so is the JWT role of this fleet's name whose policy this fleet owns
or adopts in the same run (it is rewritten to grant exactly that policy); a policy whose
header names another fleet is never adopted. With a narrowed bundle (``bundle.narrow``)
prune touches only the selected agents' names.
"""
from __future__ import annotations

from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet import naming, ownership
from ansible_collections.agentfleet.hashistack.plugins.module_utils.fleet_apply.sync_base import FleetSync
from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many
from ansible_collections.agentfleet.hashistack.plugins.module_utils.object_result import object_result
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault import mounts
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.errors import VaultModuleError
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.jwt_role import (
    JWT_ROLE_NORMALISERS,
    jwt_role_resent,
)
from ansible_collections.agentfleet.hashistack.plugins.module_utils.vault.objects import (
    converge,
    converge_policy,
    policy_path,
    read_data,
    read_policy,
    remove,
)


class VaultSync(FleetSync):
    """One fleet's Vault state; ``check`` plans without writing, ``diff`` adds before/after."""

    def __init__(self, client, bundle, check=False, diff=False, concurrency=8, adopt=False):
        super().__init__(client, bundle, check, diff, concurrency, adopt)
        self.mount = bundle["vault"]["jwt_mount"].strip("/")
        self._by_name = {a["vault_name"]: key for key, a in bundle["agents"].items() if a.get("vault_name")}
        # Policies this fleet owned when the run read them (a role is owned only with its policy).
        self._owned_before = set()
        self._refused = set()  # policies refused: their roles are not written either
        self._adopted = set()  # unmarked policies taken over in this run: their roles may be too

    # -- mounts -------------------------------------------------------------
    def ensure_mount(self, kind, path, type_name, options=None):
        """Enable an auth method (kind=auth) or secrets engine (kind=secrets) if missing.

        An existing mount of another type is refused; one of the right type is left as
        it is (the fleet never re-tunes a mount). The write is ``mounts.apply``'s enable.
        """
        path = path.strip("/")
        current = mounts.read_mount(self.client, kind, path)
        if current is not None:
            if current["type"] != type_name:
                raise VaultModuleError("%s mount %s is of type %r, not %r; refusing to change it"
                                       % (kind, path, current["type"], type_name))
            return object_result("vault_mount", path, None, "unchanged")
        if not self.check:
            mounts.apply(self.client, kind, path, "enable", {"type": type_name, "options": options}, {})
        return object_result("vault_mount", path, None, "created")

    # -- policies -----------------------------------------------------------
    def read_policy(self, name):
        return read_policy(self.client, name)

    def apply_policy(self, item):
        name, text = item["name"], item["policy"]
        current = self.read_policy(name)
        agent = self._by_name.get(name)
        adopted = current is not None and not ownership.vault_policy_owned(name, current, self.fleet)
        if adopted:
            owner = ownership.policy_owner(current)
            if owner is not None or not self.adopt:  # a header (even a wrong one) is a marker: never adopted
                self._refused.add(name)
                return object_result("vault_policy", name, agent, "failed",
                                     msg=ownership.refusal("vault policy", name, owner and owner[0], self.fleet))
            self._adopted.add(name)
        elif current is not None:
            self._owned_before.add(name)
        done = converge_policy(self.client, name, current, text, check=self.check)
        if done["outcome"] == "unchanged":
            return object_result("vault_policy", name, agent, "unchanged")
        extra = ownership.adoption("vault policy", name, self.fleet, self.check) if adopted else {}
        out = object_result("vault_policy", name, agent, "adopted" if adopted else done["outcome"], **extra)
        if self.diff and out["changed"]:
            out["diff"] = {"before": current or "", "after": text,
                           "before_header": "vault policy %s" % name, "after_header": "vault policy %s" % name}
        return out

    # -- JWT roles ----------------------------------------------------------
    def role_path(self, name, mount=None):
        return "auth/%s/role/%s" % ((mount or self.mount).strip("/"), name)

    def role_label(self, name, mount=None):
        return "JWT role %r on auth/%s" % (name, (mount or self.mount).strip("/"))

    def read_role(self, name, mount=None):
        return read_data(self.client, self.role_path(name, mount), self.role_label(name, mount))

    def apply_role(self, item):
        name, desired = item["name"], item["role"]
        current = self.read_role(name, item.get("mount"))
        agent = self._by_name.get(name)
        if name in self._refused:
            return object_result("vault_jwt_role", name, agent, "failed",
                                 msg="vault JWT role %r not written: its policy %r is not owned by fleet %r (see that "
                                     "policy's result)" % (name, name, self.fleet))
        adopted = current is not None and not ownership.jwt_role_owned(name, current, self.fleet, self._owned_before)
        if adopted and not (self.adopt and self._role_adoptable(name)):
            parsed = naming.parse_agent_object_name(name)
            return object_result("vault_jwt_role", name, agent, "failed",
                                 msg=ownership.refusal("vault JWT role", name, parsed and parsed[0], self.fleet)
                                 + " (a role is this fleet's only when it grants exactly its own policy %r, "
                                   "owned by this fleet)" % name)
        mount = item.get("mount")
        done = converge(self.client, self.role_path(name, mount), self.role_label(name, mount), current, desired,
                        JWT_ROLE_NORMALISERS, check=self.check, resend=jwt_role_resent)
        if done["outcome"] == "unchanged":
            return object_result("vault_jwt_role", name, agent, "unchanged")
        extra = ownership.adoption("vault JWT role", name, self.fleet, self.check) if adopted else {}
        out = object_result("vault_jwt_role", name, agent, "adopted" if adopted else done["outcome"],
                            differences=sorted(done["changes"]) if done["outcome"] == "updated" else [], **extra)
        if self.diff:
            out["diff"] = {"before": done["before"], "after": done["after"],
                           "before_header": "vault jwt role %s" % name, "after_header": "vault jwt role %s" % name}
        return out

    def _role_adoptable(self, name):
        """A role of this fleet's name whose policy this fleet owned before the run or adopts
        now: its only marker is that grant, which apply writes."""
        parsed = naming.parse_agent_object_name(name)
        return parsed is not None and parsed[0] == self.fleet and (name in self._owned_before or name in self._adopted)

    def converge(self):
        """Policies first (a role names its policy), then roles; one result per object."""
        on_error = self._on_error
        results = run_many(self.bundle["vault_policies"], self.apply_policy, self.concurrency, on_error)
        results += run_many(self.bundle["vault_roles"], self.apply_role, self.concurrency, on_error)
        return results

    @staticmethod
    def _on_error(item, exc):
        kind = "vault_jwt_role" if "role" in item else "vault_policy"
        return object_result(kind, item["name"], None, "failed", msg=str(exc))

    # -- ownership, prune, revoke -------------------------------------------
    def _ours(self, names):
        """Names that split exactly into (this fleet, tenant, agent): candidates only."""
        return [n for n in names if (naming.parse_agent_object_name(n) or ("",))[0] == self.fleet]

    def owned_policies(self):
        names = self._ours(self.client.list("sys/policies/acl"))
        texts = run_many(names, self.read_policy, self.concurrency)
        return sorted(n for n, t in zip(names, texts) if ownership.vault_policy_owned(n, t, self.fleet))

    def owned_roles(self, owned_policies):
        names = self._ours(self.client.list("auth/%s/role" % self.mount))
        roles = run_many(names, self.read_role, self.concurrency)
        return sorted(n for n, r in zip(names, roles) if ownership.jwt_role_owned(n, r, self.fleet, owned_policies))

    def _delete(self, kind, name, path):
        """Delete an object this fleet owns (read and checked by the caller)."""
        done = remove(self.client, path, "%s %r" % (kind.replace("_", " "), name), True, check=self.check)
        return object_result(kind, name, self._by_name.get(name), done["outcome"])

    def prune(self):
        """Delete owned roles and policies that the bundle no longer has."""
        policies = self.owned_policies()
        roles = self.owned_roles(policies)
        want_roles = {r["name"] for r in self.bundle["vault_roles"]}
        want_policies = {p["name"] for p in self.bundle["vault_policies"]}
        out = [self._delete("vault_jwt_role", n, self.role_path(n)) for n in roles
               if n not in want_roles and self.name_selected(n)]
        out += [self._delete("vault_policy", n, policy_path(n)) for n in policies
                if n not in want_policies and self.name_selected(n)]
        return out

    def revoke(self, names):
        """Kill switch: delete the JWT roles (no new logins) and the policies (tokens
        already issued lose their access at once) of ``names``; owned objects only."""
        policies = set(self.owned_policies())
        roles = set(self.owned_roles(policies))
        out = []
        for name in sorted(set(names)):
            if name in roles:
                out.append(self._delete("vault_jwt_role", name, self.role_path(name)))
            else:
                out.append(object_result("vault_jwt_role", name, None, "absent"))
            if name in policies:
                out.append(self._delete("vault_policy", name, policy_path(name)))
            else:
                out.append(object_result("vault_policy", name, None, "absent"))
        return out
