"""Design-space sweeps: many parameter sets, each a normal run folder, run
on this machine or as Slurm jobs, gathered into one table with its Pareto
front."""
