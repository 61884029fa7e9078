"""The analytical report (справка) in the browser: queue a report job, follow its progress, download it."""
