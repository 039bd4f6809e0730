"""TEST INFRASTRUCTURE: command lines of the stand-in ``consul`` and ``nomad`` executables.

Only the subcommands the roles use, with the real spelling:
``consul agent -config-dir=DIR [-config-file=F]``, ``consul validate PATH...``,
``consul keygen`` (base64 of 32 random bytes), ``consul version``;
``nomad agent -config=PATH...``, ``nomad config validate PATH...``,
``nomad operator gossip keyring generate``, ``nomad version``. Exit 0 on success, 1 with
the reason on stderr otherwise (the real CLIs' convention).
"""
import base64
import os
import sys

from .loader import ConfigError

VERSIONS = {"consul": "1.18.2", "nomad": "2.0.6"}


def _version(product):
    try:
        from . import _release  # written into the zipapp by build_release.py
        return _release.VERSION
    except ImportError:
        return os.environ.get("STANDIN_VERSION", VERSIONS[product])


def _flag_values(args, names):
    """Values of ``-name=value`` / ``-name value`` / ``--name=value`` flags; rest unknown."""
    values, rest, i = [], [], 0
    while i < len(args):
        arg = args[i]
        bare = arg.lstrip("-")
        name, eq, value = bare.partition("=")
        if arg.startswith("-") and name in names:
            if eq:
                values.append(value)
            elif i + 1 < len(args):
                values.append(args[i + 1])
                i += 1
            else:
                raise SystemExit("flag needs an argument: -%s" % name)
        else:
            rest.append(arg)
        i += 1
    return values, rest


def _product(name):
    if name == "consul":
        from .consul_agent import ConsulProduct
        return ConsulProduct()
    from .nomad_agent import NomadProduct
    return NomadProduct()


def _validate(product, paths, config_format=None):
    if not paths:
        sys.stderr.write("Must specify at least one config file or directory\n")
        return 1
    try:
        if product.name == "consul":
            from .consul_config import load
            load(paths, check_dirs=False, config_format=config_format)
        else:
            from .nomad_config import load
            load(paths, check_dirs=False)
    except ConfigError as exc:
        prefix = "Config validation failed: " if product.name == "consul" else "Error: "
        for msg in exc.messages:
            sys.stderr.write(prefix + msg + "\n")
        return 1
    print("Configuration is valid!")
    return 0


def _agent(product, paths):
    from .agent import Agent, log
    if not paths:
        sys.stderr.write("==> No configuration given: pass -config-dir / -config\n")
        return 1
    try:
        rt = product.load(paths)
    except ConfigError as exc:
        for msg in exc.messages:
            sys.stderr.write("==> %s\n" % msg)
            log("ERROR", "agent: configuration refused: %s" % msg)
        return 1
    product.version = _version(product.name)
    return Agent(rt, product, paths).run()


def main(name, argv):
    """Entry point: ``name`` is ``consul`` or ``nomad``; ``argv`` excludes the program."""
    product = _product(name)
    version = _version(name)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stderr.write("usage: %s agent|validate|version|keygen ... (stand-in, TEST "
                         "INFRASTRUCTURE)\n" % name)
        return 1 if not argv else 0
    cmd, args = argv[0], argv[1:]
    if cmd in ("version", "-v", "-version", "--version"):
        if name == "consul":
            print("Consul v%s\nRevision standin\nBuild Date 2026-11-30T00:00:00Z\n"
                  "Protocol 2 spoken by default, understands 2 to 3 (agent will automatically "
                  "use protocol >2 when speaking to compatible agents)\n"
                  "(stand-in agent: TEST INFRASTRUCTURE)" % version)
        else:
            print("Nomad v%s\nBuildDate 2026-11-30T00:00:00Z\nRevision standin\n"
                  "(stand-in agent: TEST INFRASTRUCTURE)" % version)
        return 0
    if name == "consul":
        if cmd == "agent":
            paths, rest = _flag_values(args, ("config-dir", "config-file"))
            if rest:
                sys.stderr.write("==> the stand-in does not support flags %s\n" % rest)
                return 1
            return _agent(product, paths)
        if cmd == "validate":
            formats, rest = _flag_values(args, ("config-format",))
            return _validate(product, rest, formats[-1] if formats else None)
        if cmd == "keygen":
            print(base64.b64encode(os.urandom(32)).decode())
            return 0
    else:
        if cmd == "agent":
            paths, rest = _flag_values(args, ("config",))
            if rest:
                sys.stderr.write("==> the stand-in does not support flags %s\n" % rest)
                return 1
            return _agent(product, paths)
        if cmd == "config" and args[:1] == ["validate"]:
            return _validate(product, args[1:])
        if cmd == "operator" and args[:3] == ["gossip", "keyring", "generate"]:
            print(base64.b64encode(os.urandom(32)).decode())
            return 0
    sys.stderr.write("%s: the stand-in does not implement %r\n" % (name, " ".join(argv)))
    return 1
