"""``python -m batterypass`` runs the command-line interface."""

from batterypass.cli import main

if __name__ == "__main__":
    main()
