"""Re-make the synthesised cassettes: run the cassette tests against the TokenHub emulator.

    python -m tests.support.synthesize_cassettes [pytest args, e.g. a test file]

Every request goes to the loopback TokenHub emulator (tests/support/emulator_tokenhub.py) and
is written as if sent to TokenHub, the default endpoint, with a header saying it is
synthesised. To record against the live API instead:

    HUNYUAN_API_KEY=sk-... pytest --record-mode=rewrite [tests]

Delete the cassettes to be re-made first (e.g. ``rm -r cassettes/test_tokenhub``): a cassette
that is already there was seen to be replayed rather than rewritten.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.support.cassettes import SYNTH_ENV
from tests.support.emulator_tokenhub import TokenHubEmulator


def main(argv: list[str]) -> int:
    with TokenHubEmulator() as emu:
        os.environ[SYNTH_ENV] = emu.base_url
        os.environ["HUNYUAN_BASE_URL"] = emu.base_url
        os.environ["HUNYUAN_API_KEY"] = "sk-emulator"
        return int(pytest.main(["--record-mode=rewrite", "-m", "vcr", "-p", "no:randomly", *argv]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
