#!/usr/bin/env python3
"""TUF repositories in Sigstore's layout, made by python-tuf, in the states the TUF client's tests need.

Usage: PYTHONPATH=<python-tuf> python3 tuf_repo.py OUT_DIR

For each scenario, writes OUT_DIR/<scenario>/<n>/ (a mirror's files: N.root.json for every root
version, timestamp.json, V.snapshot.json, V.targets.json and targets/SHA256.trusted_root.json when
snapshots are consistent) and OUT_DIR/<scenario>/1.root.json (the root a client starts from), and
OUT_DIR/scenarios.json: {scenario: [{"expect": "accept" | "refuse:<word>", "differential": bool}]},
the states in the order a client (with one cache) fetches them.
"""
import copy, hashlib, json, os, sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp)
from tuf.api.serialization.json import JSONSerializer

OUT = sys.argv[1]
NOW = datetime.now(timezone.utc).replace(microsecond=0)
FUTURE = NOW + timedelta(days=30)
PAST = NOW - timedelta(days=1)
PRETTY = JSONSerializer(compact=False)


def gen(kind="ecdsa"):
    return CryptoSigner.generate_ed25519() if kind == "ed25519" else CryptoSigner.generate_ecdsa()


class Repo:
    """One repository: its keys, its current metadata, every root it has published, its target."""

    def __init__(self, kind="ecdsa", consistent=True, root_expires=FUTURE):
        self.signers = {"root": [gen(kind) for _ in range(3)], "timestamp": [gen(kind)], "snapshot": [gen(kind)], "targets": [gen(kind)]}
        root = Root(expires=root_expires, consistent_snapshot=consistent)
        for role, signers in self.signers.items():
            for s in signers:
                root.add_key(s.public_key, role)
        root.roles["root"].threshold = 2
        self.root = Metadata(root)
        self.roots = []
        self.target = b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": [], "v": 1}\n'
        self.targets = Metadata(Targets(expires=FUTURE))
        self.snapshot = Metadata(Snapshot(expires=FUTURE))
        self.timestamp = Metadata(Timestamp(expires=FUTURE))
        self.started = False
        self.sign_root()
        self.set_target(self.target)
        self.served_target = None  # bytes served instead of the signed target
        self.overrides = {}  # file name -> bytes served instead

    def sign(self, md, role, signers=None):
        md.signatures.clear()
        for s in signers if signers is not None else self.signers[role]:
            md.sign(s, append=True)

    def sign_root(self, signers=None):
        self.sign(self.root, "root", signers)
        self.roots.append(self.root.to_bytes(PRETTY))

    def set_target(self, data, bump=True):
        self.target = data
        self.targets.signed.targets["trusted_root.json"] = TargetFile.from_data("trusted_root.json", data, ["sha256"])
        if bump:
            self.bump("targets")

    def bump(self, *roles, expires=FUTURE):
        """New versions of the given roles and of those that name them (targets, then snapshot, then
        timestamp), re-signed; the last role given expires at `expires`. The first call signs version 1."""
        first = not self.started
        self.started = True
        if "targets" in roles:
            self.targets.signed.version += 0 if first else 1
            self.targets.signed.expires = expires if roles[-1] == "targets" else FUTURE
            self.sign(self.targets, "targets")
            self.snapshot.signed.meta["targets.json"] = MetaFile(self.targets.signed.version)
        if "targets" in roles or "snapshot" in roles:
            self.snapshot.signed.version += 0 if first else 1
            self.snapshot.signed.expires = expires if roles[-1] == "snapshot" else FUTURE
            self.sign(self.snapshot, "snapshot")
            self.timestamp.signed.snapshot_meta = MetaFile(self.snapshot.signed.version)
        self.timestamp.signed.version += 0 if first else 1
        self.timestamp.signed.expires = expires if roles[-1] == "timestamp" else FUTURE
        self.sign(self.timestamp, "timestamp")

    def rotate_root(self, new_root_keys=0, new_keys_for=(), old_signers=None, new_signers=None, expires=FUTURE):
        """The next root: `new_root_keys` of its root keys replaced, and fresh keys for the roles in `new_keys_for`."""
        old = list(self.signers["root"])
        root = self.root.signed
        root.version += 1
        root.expires = expires
        for _ in range(new_root_keys):
            gone = self.signers["root"].pop(0)
            root.revoke_key(gone.public_key.keyid, "root")
            fresh = gen()
            self.signers["root"].append(fresh)
            root.add_key(fresh.public_key, "root")
        for role in new_keys_for:
            for s in self.signers[role]:
                root.revoke_key(s.public_key.keyid, role)
            self.signers[role] = [gen()]
            root.add_key(self.signers[role][0].public_key, role)
        signers = (old_signers(old) if old_signers else old) + [s for s in (new_signers(self.signers["root"]) if new_signers else self.signers["root"]) if s not in old]
        self.sign_root(signers)

    def publish(self, folder):
        os.makedirs(f"{folder}/targets", exist_ok=True)
        consistent = self.root.signed.consistent_snapshot
        files = {f"{i + 1}.root.json": data for i, data in enumerate(self.roots)}
        files["timestamp.json"] = self.timestamp.to_bytes(PRETTY)
        files[f"{self.snapshot.signed.version}.snapshot.json" if consistent else "snapshot.json"] = self.snapshot.to_bytes(PRETTY)
        files[f"{self.targets.signed.version}.targets.json" if consistent else "targets.json"] = self.targets.to_bytes(PRETTY)
        digest = hashlib.sha256(self.target).hexdigest()
        files[f"targets/{digest}.trusted_root.json" if consistent else "targets/trusted_root.json"] = self.served_target if self.served_target is not None else self.target
        files.update(self.overrides)
        for name, data in files.items():
            with open(f"{folder}/{name}", "wb") as f:
                f.write(data)


scenarios = {}


def scenario(name, repo, steps, differential=True):
    """steps: [(expect, change)], each change applied to the repository before its state is published."""
    states = []
    for n, (expect, change) in enumerate(steps):
        if change:
            change(repo)
        repo.publish(f"{OUT}/{name}/{n}")
        states.append({"expect": expect, "differential": differential})
    with open(f"{OUT}/{name}/1.root.json", "wb") as f:
        f.write(repo.roots[0])
    scenarios[name] = states


def new_target(r, data=b'{"v": 2, "tlogs": ["rotated"]}\n'):
    r.set_target(data)


def expire(role):
    def change(r):
        r.bump(role, expires=PAST)
    return change


def swap_target(r):
    signed = r.target
    r.served_target = bytes(b ^ 0x01 if i == len(signed) - 3 else b for i, b in enumerate(signed))


def restore(r):
    r.served_target = None
    r.overrides = {}


# a first fetch, then nothing changes, then a new target
scenario("first-fetch", Repo(), [("accept", None), ("accept", None), ("accept", new_target)])
scenario("ed25519-keys", Repo("ed25519"), [("accept", None), ("accept", new_target)])
scenario("not-consistent", Repo(consistent=False), [("accept", None), ("accept", new_target)])
# root rotations: one root key and the timestamp key, then every root key and the snapshot key
scenario("root-rotation", Repo(), [
    ("accept", None),
    ("accept", lambda r: (r.rotate_root(new_root_keys=1, new_keys_for=["timestamp"]), r.bump("timestamp"))),
    ("accept", lambda r: (r.rotate_root(new_root_keys=3, new_keys_for=["snapshot"]), r.bump("snapshot"))),
])
# a client that starts from the first root meets three rotations at once (the first root expired long ago)
scenario("rotations-at-once", Repo(root_expires=PAST), [("accept", lambda r: [r.rotate_root(new_root_keys=1) for _ in range(3)] and r.bump("timestamp"))])
scenario("final-root-expired", Repo(), [("accept", None), ("refuse:expired", lambda r: (r.rotate_root(expires=PAST), r.bump("timestamp")))])
# a new timestamp key, and the timestamp starting again from version 1 (fast-forward recovery, §5.3.11)
def reset_timestamp(r):
    r.rotate_root(new_keys_for=["timestamp"])
    r.timestamp.signed.version = 0
    r.bump("timestamp")
scenario("timestamp-key-rotation-reset", Repo(), [("accept", None), ("accept", None), ("accept", reset_timestamp)])
# too few signatures
scenario("root-old-threshold", Repo(), [("accept", None), ("refuse:threshold", lambda r: r.rotate_root(new_root_keys=1, old_signers=lambda old: old[:1]))])
scenario("root-own-threshold", Repo(), [("accept", None), ("refuse:threshold", lambda r: r.rotate_root(new_root_keys=2, new_signers=lambda new: [new[0]]))])
def foreign_timestamp(r):
    r.bump("timestamp")
    r.sign(r.timestamp, "timestamp", [gen()])
scenario("timestamp-foreign-key", Repo(), [("accept", None), ("refuse:threshold", foreign_timestamp)])
def unsigned_targets(r):
    r.set_target(b'{"v": 3}\n')
    r.sign(r.targets, "targets", [])
    r.overrides[f"{r.targets.signed.version}.targets.json"] = r.targets.to_bytes(PRETTY)
scenario("targets-unsigned", Repo(), [("refuse:threshold", unsigned_targets)])
# expiry
scenario("expired-timestamp", Repo(), [("accept", None), ("refuse:expired", expire("timestamp"))])
scenario("expired-timestamp-first", Repo(), [("refuse:expired", expire("timestamp"))])
scenario("expired-snapshot", Repo(), [("accept", None), ("refuse:expired", expire("snapshot"))])
scenario("expired-targets", Repo(), [("accept", None), ("refuse:expired", expire("targets"))])
# rollbacks
def bump_keeping_timestamp(r):
    r.saved_timestamp = r.timestamp.to_bytes(PRETTY)
    r.bump("timestamp")
scenario("rollback-timestamp", Repo(), [("accept", bump_keeping_timestamp), ("refuse:rollback", lambda r: r.overrides.update({"timestamp.json": r.saved_timestamp}))])
def snapshot_rollback(r):
    old = r.snapshot.signed.version
    r.bump("snapshot")
    r.timestamp.signed.snapshot_meta = MetaFile(old - 1)
    r.bump("timestamp")
scenario("rollback-snapshot", Repo(), [("accept", lambda r: r.bump("snapshot")), ("refuse:rollback", snapshot_rollback)])
def targets_rollback(r):
    old = r.targets.signed.version
    r.bump("snapshot")
    r.snapshot.signed.meta["targets.json"] = MetaFile(old - 1)
    r.bump("snapshot")
scenario("rollback-targets-in-snapshot", Repo(), [("accept", new_target), ("refuse:rollback", targets_rollback)])
def targets_file_rollback(r):
    before = r.targets.to_bytes(PRETTY)
    new_target(r, b'{"v": 9}\n')
    r.overrides[f"{r.targets.signed.version}.targets.json"] = before
scenario("rollback-targets-file", Repo(), [("accept", None), ("refuse:rollback", targets_file_rollback)])
# a target changed after signing: same length, another hash
scenario("changed-target", Repo(), [("refuse:hash", swap_target)])
scenario("changed-target-later", Repo(), [("accept", None), ("refuse:hash", lambda r: (new_target(r, b'{"v": 4, "tlogs": []}\n'), swap_target(r))), ("accept", restore)])
# oversized files
def big_timestamp(r):
    r.timestamp.signed.unrecognized_fields["x-padding"] = "x" * 20000
    r.bump("timestamp")
scenario("oversized-timestamp", Repo(), [("accept", None), ("refuse:length", big_timestamp)])
def big_root(r):
    r.root.signed.unrecognized_fields["x-padding"] = "x" * 600_000
    r.rotate_root()
scenario("oversized-root", Repo(), [("accept", None), ("refuse:length", big_root)])
def long_target(r):
    r.served_target = r.target + b" " * 10
scenario("oversized-target", Repo(), [("refuse:length", long_target)])
def snapshot_with_length(r):
    r.bump("snapshot")
    data = r.snapshot.to_bytes(PRETTY)
    r.timestamp.signed.snapshot_meta = MetaFile(r.snapshot.signed.version, length=len(data) - 1)
    r.bump("timestamp")
scenario("snapshot-longer-than-signed", Repo(), [("accept", None), ("refuse:length", snapshot_with_length)])
def snapshot_with_hash(r):
    r.bump("snapshot")
    data = r.snapshot.to_bytes(PRETTY)
    r.timestamp.signed.snapshot_meta = MetaFile(r.snapshot.signed.version, length=len(data), hashes={"sha256": hashlib.sha256(data[:-1] + b"?").hexdigest()})
    r.bump("timestamp")
scenario("snapshot-other-hash", Repo(), [("refuse:hash", snapshot_with_hash)])
# several rotations in one update (the bound on rotations is tested against this one)
scenario("many-rotations", Repo(), [("accept", None), ("accept", lambda r: [r.rotate_root() for _ in range(5)] and r.bump("timestamp"))])
# delegations: present beside a top-level trusted_root.json (as in Sigstore's), or holding it
def delegate(r, move):
    key = gen()
    r.targets.signed.delegations = Delegations(keys={key.public_key.keyid: key.public_key}, roles={"registry.npmjs.org": DelegatedRole("registry.npmjs.org", [key.public_key.keyid], 1, True, ["registry.npmjs.org/*", *(["trusted_root.json"] if move else [])])})
    delegated = Metadata(Targets(expires=FUTURE))
    if move:
        delegated.signed.targets["trusted_root.json"] = r.targets.signed.targets.pop("trusted_root.json")
    delegated.sign(key)
    r.bump("targets")
    r.snapshot.signed.meta["registry.npmjs.org.json"] = MetaFile(1)
    r.bump("snapshot")
    consistent = r.root.signed.consistent_snapshot
    r.overrides["1.registry.npmjs.org.json" if consistent else "registry.npmjs.org.json"] = delegated.to_bytes(PRETTY)
scenario("delegations-beside", Repo(), [("accept", lambda r: delegate(r, False))])
scenario("delegated-target", Repo(), [("refuse:delegated", lambda r: delegate(r, True))], differential=False)

with open(f"{OUT}/scenarios.json", "w") as f:
    json.dump(scenarios, f, indent=1)
print(sum(len(s) for s in scenarios.values()), "states in", len(scenarios), "scenarios")
