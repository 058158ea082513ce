"""Controller runtime: informers, workqueue, leader election, events and controller helpers."""
