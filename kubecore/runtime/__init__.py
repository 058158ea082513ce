"""The controller runtime: informers, listers, indexers, the workqueue, ... (client-go's
``tools/cache`` and ``util/workqueue``). Import the submodules you use; nothing is loaded here.
"""
