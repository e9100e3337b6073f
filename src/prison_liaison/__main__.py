from prison_liaison.cli import main

raise SystemExit(main())
