# Generates 40 matrices and causal-learn 0.1.3.3 PC graphs; case00-07 and case26 are checked in (case03 and case26 are
# the two of the 40 where the first-separating-set rule gives a different graph). Usage:
#   PYTHONPATH=<causal-learn 0.1.3.3 source> python3 generate.py <out-dir>
import sys, numpy as np
from causallearn.search.ConstraintBased.PC import pc
# Fixed matrices: linear-Gaussian SEMs small samples so that tests contradict each other.
out = sys.argv[1]
rng = np.random.default_rng(20261130)
cases = []
for k in range(40):
    n, p = 60, 7
    W = np.triu((rng.random((p, p)) < 0.35) * rng.uniform(0.5, 1.5, (p, p)) * rng.choice([-1, 1], (p, p)), 1)
    E = rng.standard_normal((n, p))
    X = np.zeros((n, p))
    for j in range(p):
        X[:, j] = X @ W[:, j] + E[:, j]
    X = np.round(X, 6)
    cg = pc(X, 0.05, 'fisherz', True, 0, 2, show_progress=False)
    cases.append((k, X, cg.G.graph.copy()))
import os
for k, X, G in cases:
    np.savetxt(os.path.join(out, f'case{k:02d}.csv'), X, delimiter=',', fmt='%.6f', header=','.join(f'X{j}' for j in range(X.shape[1])), comments='')
    with open(os.path.join(out, f'case{k:02d}.graph'), 'w') as f:
        for i in range(G.shape[0]):
            for j in range(G.shape[1]):
                # causal-learn: G[j,i]=1 and G[i,j]=-1 means i -> j; both -1 means i -- j.
                if i < j and G[i,j] == -1 and G[j,i] == -1: f.write(f'X{i} -- X{j}\n')
                elif G[i,j] == -1 and G[j,i] == 1: f.write(f'X{i} -> X{j}\n')
                elif i < j and G[i,j] == 1 and G[j,i] == 1: f.write(f'X{i} <-> X{j}\n')
