"""Text drawn into numpy frames with a 3 x 5 pixel font, so hints and key legends need no display.

Why not pygame.font: a window's frames are built as numpy images and pygame only shows them
(Minigrid style); text drawn here appears the same in a window, in ``rgb_array`` frames, in a
recorded video and under SDL's dummy driver. Upper case, digits and the punctuation a key legend
needs (``< > ^ - : ' ( ) / . , ? ! = +``); lower case is drawn as upper case, any other character as ``?``.
"""

from __future__ import annotations

import numpy as np

_GLYPHS = {
    "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101010010010", "Z": "111001010100111",
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111",
    " ": "000000000000000", ":": "000010000010000", ".": "000000000000010", ",": "000000000010100",
    "-": "000000111000000", "<": "001010100010001", ">": "100010001010100", "^": "010101000000000",
    "'": "010010000000000", "/": "001001010100100", "?": "110001010000010", "(": "010100100100010",
    ")": "010001001001010", "=": "000111000111000", "+": "000010111010000", "!": "010010010000010",
}
FONT = {ch: np.array([int(b) for b in bits], dtype=bool).reshape(5, 3) for ch, bits in _GLYPHS.items()}
GLYPH_W, GLYPH_H = 3, 5  # pixels at scale 1; a character advances GLYPH_W + 1


def text_width(text: str, scale: int = 1) -> int:
    """Pixels that ``text`` spans at ``scale`` (no trailing gap)."""
    return max(0, len(text) * (GLYPH_W + 1) * scale - scale)


def draw_text(img: np.ndarray, text: str, x: int, y: int, colour, scale: int = 1) -> None:
    """Draw ``text`` into ``img`` ((H, W, 3) uint8, in place) with its top left at (x, y); what does not fit is cut."""
    if scale < 1:
        raise ValueError(f"scale: {scale!r}; allowed: an integer >= 1")
    height, width = img.shape[:2]
    if y < 0 or y + GLYPH_H * scale > height:
        return
    colour = np.asarray(colour, dtype=np.uint8)
    for k, ch in enumerate(text.upper()):
        left = x + k * (GLYPH_W + 1) * scale
        if left + GLYPH_W * scale > width:
            break
        glyph = FONT.get(ch, FONT["?"])
        big = np.repeat(np.repeat(glyph, scale, axis=0), scale, axis=1)
        img[y:y + GLYPH_H * scale, left:left + GLYPH_W * scale][big] = colour
