"""One sub-package per mirrored API: each parses its vendor's request, calls one service and
serialises the answer in that vendor's shapes. No rule lives in a surface."""
