from tmtool.cli import main

main()
