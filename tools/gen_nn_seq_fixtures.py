"""Reference values for descent's losses, recurrent layers and attention, computed with PyTorch 1.13.
Run: /usr/bin/python3 tools/gen_nn_seq_fixtures.py (writes test/fixtures/nn_loss.json, nn_rnn.json, nn_attention.json).

Each case stores the inputs, the options (camelCase, as descent takes them), the output and the gradient of
every input that requires grad; outputs that are not scalars are contracted with a stored random gradOutput."""
import warnings

import torch
import torch.nn.functional as F
from fixtures_common import dump, encode

warnings.filterwarnings("ignore", category=UserWarning)
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)


def opt_value(v):
    return {"tensor": encode(v)} if isinstance(v, torch.Tensor) else v


def run_case(name, fn, torch_fn, args, grad_args, options=None, torch_options=None, **extra):
    """args: tensors (or other values passed through); grad_args: indices of args that require grad."""
    args = [a.clone().requires_grad_(True) if i in grad_args else a for i, a in enumerate(args)]
    out = torch_fn(*args, **(torch_options or {}))
    grad_out = torch.ones_like(out) if out.dim() == 0 else torch.randn_like(out)
    grads = torch.autograd.grad(out, [args[i] for i in grad_args], grad_out, allow_unused=True) if grad_args else []
    case = {
        "name": name,
        "fn": fn,
        "args": [encode(a) if isinstance(a, torch.Tensor) else a for a in args],
        "gradArgs": list(grad_args),
        "options": {k: opt_value(v) for k, v in (options or {}).items()},
        "out": encode(out),
        "gradOut": encode(grad_out),
        "grads": [encode(g) if g is not None else None for g in grads],
    }
    case.update(extra)
    return case


def loss_cases():
    cases = []
    reductions = ["none", "mean", "sum"]
    x = torch.randn(3, 4)
    y = torch.randn(3, 4)
    y[0, 0] = x[0, 0]  # a zero difference: sign(0) = 0 in L1's gradient
    for r in reductions:
        cases.append(run_case(f"mse_{r}", "mseLoss", F.mse_loss, [x, y], [0, 1], {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"l1_{r}", "l1Loss", F.l1_loss, [x, y], [0, 1], {"reduction": r}, {"reduction": r}))
    cases.append(run_case("mse_broadcast_target", "mseLoss", F.mse_loss, [x, y[0]], [0, 1]))
    xs = torch.tensor([[0.1, -0.7, 2.5, -3.0], [0.49, 0.51, -1.2, 0.0]])
    ys = torch.zeros(2, 4)
    for beta in [1.0, 0.5, 0.0]:
        for r in reductions:
            cases.append(run_case(f"smooth_l1_beta{beta}_{r}", "smoothL1Loss", F.smooth_l1_loss, [xs, ys], [0, 1],
                                  {"reduction": r, "beta": beta}, {"reduction": r, "beta": beta}))
    for delta in [1.0, 2.0]:
        for r in reductions:
            cases.append(run_case(f"huber_delta{delta}_{r}", "huberLoss", F.huber_loss, [xs, ys], [0, 1],
                                  {"reduction": r, "delta": delta}, {"reduction": r, "delta": delta}))

    # cross-entropy and nll with class indices
    logits = torch.randn(5, 4) * 2
    labels = torch.tensor([0, 3, 1, 1, 2])
    labels_ign = torch.tensor([0, -100, 1, 3, -100])
    weight = torch.tensor([0.2, 1.0, 2.5, 0.7])
    for r in reductions:
        cases.append(run_case(f"ce_{r}", "crossEntropy", F.cross_entropy, [logits, labels], [0], {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"ce_weight_{r}", "crossEntropy", F.cross_entropy, [logits, labels], [0],
                              {"reduction": r, "weight": weight}, {"reduction": r, "weight": weight}))
        cases.append(run_case(f"ce_ignore_weight_{r}", "crossEntropy", F.cross_entropy, [logits, labels_ign], [0],
                              {"reduction": r, "weight": weight}, {"reduction": r, "weight": weight}))
        cases.append(run_case(f"ce_ignore_{r}", "crossEntropy", F.cross_entropy, [logits, labels_ign], [0], {"reduction": r}, {"reduction": r}))
        for ws in [None, weight]:
            tag = "_weight" if ws is not None else ""
            o = {"reduction": r, "labelSmoothing": 0.2, "weight": ws}
            to = {"reduction": r, "label_smoothing": 0.2, "weight": ws}
            cases.append(run_case(f"ce_smooth{tag}_{r}", "crossEntropy", F.cross_entropy, [logits, labels_ign], [0], o, to))
    cases.append(run_case("ce_ignore_index_1", "crossEntropy", F.cross_entropy, [logits, labels], [0],
                          {"ignoreIndex": 1, "weight": weight}, {"ignore_index": 1, "weight": weight}))
    cases.append(run_case("ce_unbatched", "crossEntropy", F.cross_entropy, [torch.randn(6), torch.tensor(4)], [0]))
    cases.append(run_case("ce_unbatched_smooth_none", "crossEntropy", F.cross_entropy, [torch.randn(6), torch.tensor(2)], [0],
                          {"labelSmoothing": 0.1, "reduction": "none"}, {"label_smoothing": 0.1, "reduction": "none"}))
    cases.append(run_case("ce_batch1", "crossEntropy", F.cross_entropy, [torch.randn(1, 3), torch.tensor([2])], [0]))
    spatial = torch.randn(2, 3, 2, 3)
    spatial_labels = torch.tensor([[[0, 1, 2], [2, -100, 0]], [[1, 1, 0], [2, 0, 1]]])
    w3 = torch.tensor([1.5, 0.5, 1.0])
    for r in reductions:
        cases.append(run_case(f"ce_spatial_{r}", "crossEntropy", F.cross_entropy, [spatial, spatial_labels], [0],
                              {"reduction": r, "weight": w3, "labelSmoothing": 0.15},
                              {"reduction": r, "weight": w3, "label_smoothing": 0.15}))
    # class probabilities
    probs = torch.softmax(torch.randn(5, 4), 1)
    for r in reductions:
        cases.append(run_case(f"ce_probs_{r}", "crossEntropy", F.cross_entropy, [logits, probs], [0, 1], {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"ce_probs_weight_smooth_{r}", "crossEntropy", F.cross_entropy, [logits, probs], [0, 1],
                              {"reduction": r, "weight": weight, "labelSmoothing": 0.3},
                              {"reduction": r, "weight": weight, "label_smoothing": 0.3}))
    sprobs = torch.softmax(torch.randn(2, 3, 2, 3), 1)
    cases.append(run_case("ce_probs_spatial", "crossEntropy", F.cross_entropy, [spatial, sprobs], [0, 1]))
    logp = torch.log_softmax(torch.randn(5, 4), 1)
    for r in reductions:
        cases.append(run_case(f"nll_{r}", "nllLoss", F.nll_loss, [logp, labels_ign], [0],
                              {"reduction": r, "weight": weight}, {"reduction": r, "weight": weight}))
    cases.append(run_case("nll_spatial", "nllLoss", F.nll_loss, [torch.log_softmax(spatial, 1), spatial_labels], [0]))
    cases.append(run_case("nll_unbatched", "nllLoss", F.nll_loss, [torch.log_softmax(torch.randn(4), 0), torch.tensor(1)], [0]))

    # binary cross-entropy
    p = torch.rand(3, 4) * 0.98 + 0.01
    t = (torch.rand(3, 4) > 0.5).double()
    t[0, 1] = 0.3  # soft targets are allowed
    bw = torch.tensor([0.5, 1.0, 2.0, 1.5])
    for r in reductions:
        cases.append(run_case(f"bce_{r}", "binaryCrossEntropy", F.binary_cross_entropy, [p, t], [0, 1], {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"bce_weight_{r}", "binaryCrossEntropy", F.binary_cross_entropy, [p, t], [0, 1],
                              {"reduction": r, "weight": bw}, {"reduction": r, "weight": bw}))
    extremes = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5])
    ext_t = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    cases.append(run_case("bce_extremes_none", "binaryCrossEntropy", F.binary_cross_entropy, [extremes, ext_t], [0],
                          {"reduction": "none"}, {"reduction": "none"}))
    z = torch.randn(3, 4) * 3
    z[0, 0] = 0.0
    z[1, 1] = 60.0
    z[2, 2] = -60.0
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0])
    for r in reductions:
        cases.append(run_case(f"bce_logits_{r}", "binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, [z, t], [0, 1],
                              {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"bce_logits_weights_{r}", "binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, [z, t], [0, 1],
                              {"reduction": r, "weight": bw, "posWeight": pw}, {"reduction": r, "weight": bw, "pos_weight": pw}))

    # KL divergence
    lq = torch.log_softmax(torch.randn(3, 5), 1)
    pt = torch.softmax(torch.randn(3, 5), 1)
    pt0 = pt.clone()
    pt0[0, 2] = 0.0  # a zero target contributes 0, not nan
    for r in reductions + ["batchmean"]:
        cases.append(run_case(f"kl_{r}", "klDiv", F.kl_div, [lq, pt0], [0], {"reduction": r}, {"reduction": r}))
        cases.append(run_case(f"kl_log_target_{r}", "klDiv", F.kl_div, [lq, torch.log(pt)], [0, 1],
                              {"reduction": r, "logTarget": True}, {"reduction": r, "log_target": True}))
    cases.append(run_case("kl_target_grad", "klDiv", F.kl_div, [lq, pt], [0, 1], {"reduction": "sum"}, {"reduction": "sum"}))

    # embedding and ranking losses
    a = torch.randn(4, 5)
    b = torch.randn(4, 5)
    yc = torch.tensor([1.0, -1.0, -1.0, 1.0])
    for r in reductions:
        for m in [0.0, 0.3]:
            cases.append(run_case(f"cosine_m{m}_{r}", "cosineEmbeddingLoss", F.cosine_embedding_loss, [a, b, yc], [0, 1],
                                  {"reduction": r, "margin": m}, {"reduction": r, "margin": m}))
    cases.append(run_case("cosine_unbatched", "cosineEmbeddingLoss", F.cosine_embedding_loss, [a[0], b[0], torch.tensor(-1.0)], [0, 1],
                          {"margin": -0.5}, {"margin": -0.5}))
    x1 = torch.randn(6)
    x2 = torch.randn(6)
    yr = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    for r in reductions:
        cases.append(run_case(f"ranking_{r}", "marginRankingLoss", F.margin_ranking_loss, [x1, x2, yr], [0, 1],
                              {"reduction": r, "margin": 0.2}, {"reduction": r, "margin": 0.2}))
    an, po, ne = torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3)
    for r in reductions:
        cases.append(run_case(f"triplet_{r}", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], [0, 1, 2],
                              {"reduction": r, "margin": 2.0}, {"reduction": r, "margin": 2.0}))
    cases.append(run_case("triplet_p1_swap", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], [0, 1, 2],
                          {"p": 1, "swap": True, "margin": 1.5}, {"p": 1, "swap": True, "margin": 1.5}))
    cases.append(run_case("triplet_p3_eps", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], [0, 1, 2],
                          {"p": 3, "eps": 0.01, "margin": 3.0}, {"p": 3, "eps": 0.01, "margin": 3.0}))
    cases.append(run_case("triplet_unbatched", "tripletMarginLoss", F.triplet_margin_loss, [an[0], po[0], ne[0]], [0, 1, 2],
                          {"margin": 5.0}, {"margin": 5.0}))
    return cases


def ctc_case(name, T, N, C, targets, in_lens, tg_lens, via_logits=False, **opts):
    logits = torch.randn(T, N, C) if N else torch.randn(T, C)
    dim = 2 if N else 1
    torch_opts = {{"zeroInfinity": "zero_infinity"}.get(k, k): v for k, v in opts.items()}
    t_in, t_tg = (in_lens, tg_lens) if N else (torch.tensor(in_lens), torch.tensor(tg_lens))
    if via_logits:
        fn = lambda lg, tg: F.ctc_loss(torch.log_softmax(lg, dim), tg, t_in, t_tg, **torch_opts)
        args = [logits, targets]
    else:
        fn = lambda lp, tg: F.ctc_loss(lp, tg, t_in, t_tg, **torch_opts)
        args = [torch.log_softmax(logits, dim), targets]
    return run_case(name, "ctcLoss", fn, args, [0], opts, None, inputLengths=in_lens, targetLengths=tg_lens, viaLogSoftmax=via_logits)


def ctc_cases():
    cases = []
    padded = torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 0]])
    for r in ["none", "mean", "sum"]:
        cases.append(ctc_case(f"ctc_padded_{r}", 12, 3, 5, padded, [12, 9, 10], [4, 2, 3], reduction=r))
    concat = torch.tensor([1, 2, 2, 3, 4, 1, 3, 3, 3])
    cases.append(ctc_case("ctc_concat_mean", 12, 3, 5, concat, [12, 12, 7], [4, 2, 3]))
    cases.append(ctc_case("ctc_via_logits", 10, 2, 4, torch.tensor([[1, 2, 3], [3, 0, 0]]), [10, 6], [3, 1], via_logits=True))
    cases.append(ctc_case("ctc_blank_last_empty_target", 6, 2, 4, torch.tensor([[0, 1], [0, 0]]), [6, 4], [2, 0], blank=3, reduction="none"))
    # 3 repeated labels need 5 frames; 4 frames cannot align: infinite loss, zeroed when asked
    cases.append(ctc_case("ctc_infeasible_zero_infinity", 4, 2, 3, torch.tensor([[1, 1, 1], [2, 1, 0]]), [4, 4], [3, 2],
                          reduction="none", zeroInfinity=True))
    cases.append(ctc_case("ctc_infeasible_sum_zero_infinity", 4, 2, 3, torch.tensor([[1, 1, 1], [2, 1, 0]]), [4, 4], [3, 2],
                          reduction="sum", zeroInfinity=True))
    cases.append(ctc_case("ctc_unbatched", 7, 0, 4, torch.tensor([2, 1, 2]), 7, 3, via_logits=True))
    cases.append(ctc_case("ctc_single_frame", 1, 1, 3, torch.tensor([[2]]), [1], [1]))
    return cases


if __name__ == "__main__":
    dump("nn_loss", {"cases": loss_cases() + ctc_cases()})
