"""Align an English transcript with its source-language segments (see :func:`align`).

Pure core: values in, beads out; nothing is read, printed or downloaded.
"""

from tmtool.align.aligner import FUZZY_THRESHOLD, align
from tmtool.align.features import FULL_SUPPORT, language_family, segment_keys
from tmtool.align.lexicon import Lexicon
from tmtool.align.search import BEAD_TYPES, Params

__all__ = ["align", "FUZZY_THRESHOLD", "Lexicon", "Params", "BEAD_TYPES", "FULL_SUPPORT", "language_family", "segment_keys"]
