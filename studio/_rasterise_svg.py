"""Child process of ``studio.images.rasterise_svg``: SVG on stdin, PNG on stdout.

Run as a plain script (no Django, no project imports) under its own memory and CPU-time
limits, so an SVG that makes the renderer allocate or loop without end kills only this process.
Arguments: width height memory_bytes cpu_seconds fonts_dir.
"""

import resource
import sys


def main() -> int:
    width, height, memory, cpu = (int(value) for value in sys.argv[1:5])
    fonts_dir = sys.argv[5]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    import resvg_py

    svg = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        # Only the long side is given; resvg keeps the proportions for the other.
        png = resvg_py.svg_to_bytes(svg_string=svg, width=width if width >= height else None,
                                    height=height if height > width else None,
                                    skip_system_fonts=True, font_dirs=[fonts_dir])
    except (ValueError, MemoryError):
        return 2
    sys.stdout.buffer.write(bytes(png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
