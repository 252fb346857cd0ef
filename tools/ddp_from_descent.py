#!/usr/bin/env python3
"""Continue a descent run in PyTorch's DistributedDataParallel (docs/scale.md, "Past one machine").

  npx descent export runs/mnist-cnn --safetensors            # runs/mnist-cnn/model.safetensors
  python3 tools/ddp_from_descent.py runs/mnist-cnn/model.safetensors --recipe mnist-cnn --data train.safetensors
  torchrun --nnodes 2 --nproc-per-node 4 ... tools/ddp_from_descent.py ...   # several machines (see docs/scale.md)

The model is the PyTorch twin of the descent recipe (the same module, the same parameter names), so descent's
state dict loads with load_state_dict(strict=True). Data: a .safetensors file with tensors "x" and "y" (descent
writes one with saveSafetensors(path, { x, y })), or --synthetic for a smoke test. Without torchrun it starts
--world-size processes on this machine with the gloo backend (CPU); under torchrun it joins the job torchrun set up.
Rank 0 writes the trained state dict back in the safetensors format (descent's loadStateDict takes it).
"""
import argparse
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures_common import read_safetensors, write_safetensors  # noqa: E402  (safetensors.torch.load_file/save_file where installed)
from gen_train_fixtures import torch_recipe  # noqa: E402  (the PyTorch twins of descent's recipes)


def train(rank, world_size, args):
    if "RANK" not in os.environ:  # started here, not by torchrun
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(args.port))
        dist.init_process_group("gloo", rank=rank, world_size=world_size)
    else:
        dist.init_process_group("gloo" if not torch.cuda.is_available() else "nccl")
        rank, world_size = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    model = torch_recipe(args.recipe)
    tensors, _ = read_safetensors(args.checkpoint)
    model.load_state_dict(tensors, strict=True)  # every key of descent's file, no other
    ddp = DistributedDataParallel(model)
    if args.synthetic:
        x, y = torch.rand(256, 1, 28, 28), torch.randint(0, 10, (256,))
    else:
        data, _ = read_safetensors(args.data)
        x, y = data["x"].float(), data["y"].long()
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)
    opt = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        ddp.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(ddp(xb), yb)
            loss.backward()  # gradients averaged across the processes
            opt.step()
        if rank == 0:
            print(f"epoch {epoch + 1}: loss {loss.item():.4f} ({world_size} processes)")
    if rank == 0:
        state = {k: v.to(torch.int32) if v.dtype == torch.int64 else v for k, v in model.state_dict().items()}
        write_safetensors(args.out, state, {"format": "pt"})
        print(f"wrote {args.out}")
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="descent's model.safetensors (descent export RUN --safetensors)")
    p.add_argument("--recipe", default="mnist-cnn")
    p.add_argument("--data", help="a .safetensors file with tensors x and y")
    p.add_argument("--synthetic", action="store_true", help="random data, for a smoke test")
    p.add_argument("--world-size", type=int, default=2, help="processes on this machine (ignored under torchrun)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--port", type=int, default=29517)
    p.add_argument("--out", default="trained.safetensors")
    args = p.parse_args()
    if not args.synthetic and not args.data:
        p.error("give --data FILE.safetensors (tensors x and y) or --synthetic")
    if "RANK" in os.environ:
        train(0, 1, args)
    else:
        mp.spawn(train, args=(args.world_size, args), nprocs=args.world_size)


if __name__ == "__main__":
    main()
