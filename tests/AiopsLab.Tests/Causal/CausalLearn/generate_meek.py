# Generates 60 denser 12-variable matrices (80 samples) and causal-learn 0.1.3.3's PC graphs, where conflicting
# colliders make the order of Meek's rules matter; the meek*.csv/.graph files checked in were chosen from these (see
# PcCausalLearnTests). Usage:  PYTHONPATH=<causal-learn 0.1.3.3 source> python3 generate_meek.py <out-dir>
import os, sys, numpy as np
from causallearn.search.ConstraintBased.PC import pc
out = sys.argv[1]
rng = np.random.default_rng(20261201)
for k in range(60):
    n, p = 80, 12
    W = np.triu((rng.random((p, p)) < 0.3) * rng.uniform(0.4, 1.2, (p, p)) * rng.choice([-1, 1], (p, p)), 1)
    E = rng.standard_normal((n, p))
    X = np.zeros((n, p))
    for j in range(p):
        X[:, j] = X @ W[:, j] + E[:, j]
    X = np.round(X, 6)
    G = pc(X, 0.05, 'fisherz', True, 0, 2, show_progress=False).G.graph
    np.savetxt(os.path.join(out, f'meek{k:02d}.csv'), X, delimiter=',', fmt='%.6f', header=','.join(f'X{j}' for j in range(p)), comments='')
    with open(os.path.join(out, f'meek{k:02d}.graph'), 'w') as f:
        for i in range(p):
            for j in range(p):
                if i < j and G[i, j] == -1 and G[j, i] == -1: f.write(f'X{i} -- X{j}\n')
                elif G[i, j] == -1 and G[j, i] == 1: f.write(f'X{i} -> X{j}\n')
                elif i < j and G[i, j] == 1 and G[j, i] == 1: f.write(f'X{i} <-> X{j}\n')
