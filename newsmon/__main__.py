from newsmon.shell.cli import main

# Guarded: the process pool's forkserver imports the parent's __main__ module in each child.
if __name__ == "__main__":
    main()
