from kube_clientgen.cli import main

raise SystemExit(main())
