"""PyTorch definitions of the papers' models, written from docs/SEEDS.md with the papers' state_dict keys."""


def cases():
    return []
