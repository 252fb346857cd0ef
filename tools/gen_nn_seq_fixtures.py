"""Reference values for descent's losses, recurrent layers and attention, computed with PyTorch 1.13.
Run: /usr/bin/python3 tools/gen_nn_seq_fixtures.py (writes test/fixtures/nn_loss.json, nn_rnn.json, nn_attention.json,
nn_attention_decoder.json).

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
    torch.manual_seed(0)
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
    cases.append(run_case("ce_all_ignored_mean_is_nan", "crossEntropy", F.cross_entropy, [logits[:3], torch.tensor([-100, -100, -100])], [0]))
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
    cases.append(run_case("pairwise_distance_p1_keepdim", "pairwiseDistance", F.pairwise_distance, [an, ne], [0, 1],
                          {"p": 1, "eps": 0.1, "keepdim": True}, {"p": 1, "eps": 0.1, "keepdim": True}))
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
    torch.manual_seed(1)
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
    cases.append(ctc_case("ctc_infeasible_is_inf", 4, 2, 3, torch.tensor([[1, 1, 1], [2, 1, 0]]), [4, 4], [3, 2], reduction="none"))
    cases.append(ctc_case("ctc_unbatched", 7, 0, 4, torch.tensor([2, 1, 2]), 7, 3, via_logits=True))
    cases.append(ctc_case("ctc_single_frame", 1, 1, 3, torch.tensor([[2]]), [1], [1]))
    return cases


def module_case(name, module, inputs, options, grad_inputs=None, train=False, **extra):
    """Runs `module` on `inputs` (a list; None entries are passed as None), contracts every output with a random
    gradient and stores the state dict, the outputs, and the gradients of the inputs and of every parameter."""
    module.train(train)
    grad_inputs = grad_inputs if grad_inputs is not None else [i for i, t in enumerate(inputs) if isinstance(t, torch.Tensor) and t.is_floating_point()]
    leaves = [t.clone().requires_grad_(True) if i in grad_inputs else t for i, t in enumerate(inputs)]
    call_args = []
    for item in leaves:
        call_args.append(item)
    outs = extra.pop("call", lambda m, args: m(*args))(module, call_args)
    flat = []

    def walk(o):
        if isinstance(o, torch.Tensor):
            flat.append(o)
        elif isinstance(o, (tuple, list)):
            for x in o:
                walk(x)
    walk(outs)
    flat = [o for o in flat if o is not None]
    grad_outs = [torch.randn_like(o) for o in flat]
    params = dict(module.named_parameters())
    wrt = [leaves[i] for i in grad_inputs] + list(params.values())
    grads = torch.autograd.grad(flat, wrt, grad_outs, allow_unused=True)
    gi = grads[:len(grad_inputs)]
    gp = grads[len(grad_inputs):]
    case = {
        "name": name,
        "options": options,
        "train": train,
        "inputs": [encode(t) if isinstance(t, torch.Tensor) else t for t in inputs],
        "gradInputs": grad_inputs,
        "stateDict": {k: encode(v) for k, v in module.state_dict().items()},
        "outputs": [encode(o) for o in flat],
        "gradOutputs": [encode(g) for g in grad_outs],
        "inputGrads": [encode(g) if g is not None else None for g in gi],
        "paramGrads": {k: encode(g) for k, g in zip(params.keys(), gp) if g is not None},
    }
    case.update(extra)
    return case


RNN_CLASSES = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}


def rnn_case(name, kind, input_size, hidden, shape, state=False, **opts):
    torch_opts = {{"numLayers": "num_layers", "batchFirst": "batch_first", "projSize": "proj_size"}.get(k, k): v for k, v in opts.items()}
    m = RNN_CLASSES[kind](input_size, hidden, **torch_opts)
    x = torch.randn(*shape)
    inputs = [x]
    if state:
        d = 2 if opts.get("bidirectional") else 1
        batched = len(shape) == 3
        n = shape[0 if opts.get("batchFirst") else 1] if batched else None
        sshape = (opts.get("numLayers", 1) * d, n, hidden) if batched else (opts.get("numLayers", 1) * d, hidden)
        hshape = sshape[:-1] + (opts.get("projSize") or hidden,)
        h0 = torch.randn(*hshape)
        if kind == "LSTM":
            c0 = torch.randn(*sshape)
            return module_case(name, m, [x, h0, c0], opts, kind=kind, inputSize=input_size, hiddenSize=hidden,
                               call=lambda mod, a: mod(a[0], (a[1], a[2])))
        inputs.append(h0)
    return module_case(name, m, inputs, opts, kind=kind, inputSize=input_size, hiddenSize=hidden)


def rnn_cases():
    torch.manual_seed(2)
    cases = [
        rnn_case("rnn_tanh", "RNN", 3, 4, (5, 2, 3)),
        rnn_case("rnn_relu_2layers_bidir_state_batch_first", "RNN", 3, 4, (2, 5, 3), state=True, nonlinearity="relu",
                 numLayers=2, bidirectional=True, batchFirst=True),
        rnn_case("rnn_no_bias", "RNN", 3, 4, (4, 2, 3), bias=False, state=True),
        rnn_case("lstm_state", "LSTM", 3, 4, (5, 2, 3), state=True),
        rnn_case("lstm_2layers_bidir_batch_first", "LSTM", 3, 4, (2, 4, 3), numLayers=2, bidirectional=True, batchFirst=True),
        rnn_case("lstm_unbatched_state", "LSTM", 3, 4, (4, 3), state=True, bidirectional=True),
        rnn_case("lstm_seq1_batch1", "LSTM", 3, 2, (1, 1, 3), state=True),
        rnn_case("lstm_eval_dropout_3layers", "LSTM", 3, 4, (3, 2, 3), numLayers=3, dropout=0.5),
        rnn_case("gru", "GRU", 3, 4, (5, 2, 3)),
        rnn_case("gru_2layers_bidir_state", "GRU", 3, 4, (4, 2, 3), state=True, numLayers=2, bidirectional=True),
        rnn_case("gru_batch_first_batch1_no_bias", "GRU", 3, 4, (1, 3, 3), batchFirst=True, bias=False),
        rnn_case("gru_unbatched", "GRU", 2, 3, (3, 2)),
    ]
    init = {}
    for kind, opts in [("LSTM", {"num_layers": 2, "bidirectional": True}), ("GRU", {}), ("RNN", {"bias": False})]:
        torch.manual_seed(0)
        m = RNN_CLASSES[kind](3, 5, dtype=torch.float32, **opts)
        init[kind] = {k: encode(v) for k, v in m.state_dict().items()}
    return {"cases": cases, "init": init}


def mha_case(name, E, H, q_shape, kv_shape=None, self_attention=True, kpm=None, attn_mask=None, train=True,
             need_weights=True, average=True, kdim=None, vdim=None, **opts):
    """kpm / attn_mask: tensors (bool or float). With self_attention the single input is query, key and value."""
    torch_opts = {{"batchFirst": "batch_first"}.get(k, k): v for k, v in opts.items()}
    m = torch.nn.MultiheadAttention(E, H, kdim=kdim, vdim=vdim, **torch_opts)
    opts = {{"add_bias_kv": "addBiasKv", "add_zero_attn": "addZeroAttn"}.get(k, k): v for k, v in opts.items()}
    fwd = {"needWeights": need_weights, "averageAttnWeights": average}
    ctor = dict(opts, **({"kdim": kdim} if kdim else {}), **({"vdim": vdim} if vdim else {}))
    if self_attention:
        inputs = [torch.randn(*q_shape), kpm, attn_mask]
        call = lambda mod, a: mod(a[0], a[0], a[0], key_padding_mask=a[1], attn_mask=a[2], need_weights=need_weights, average_attn_weights=average)
    else:
        k_shape = kv_shape[:-1] + (kdim or E,)
        v_shape = kv_shape[:-1] + (vdim or E,)
        inputs = [torch.randn(*q_shape), torch.randn(*k_shape), torch.randn(*v_shape), kpm, attn_mask]
        call = lambda mod, a: mod(a[0], a[1], a[2], key_padding_mask=a[3], attn_mask=a[4], need_weights=need_weights, average_attn_weights=average)
    grad_inputs = [0] if self_attention else [0, 1, 2]
    return module_case(name, m, inputs, ctor, grad_inputs=grad_inputs, train=train, call=call, kind="MultiheadAttention",
                       embedDim=E, numHeads=H, selfAttention=self_attention, forward=fwd)


def causal(L):
    return torch.triu(torch.ones(L, L, dtype=torch.bool), 1)


def proj_cases():
    torch.manual_seed(9)
    cases = [
        rnn_case("lstm_proj_2layers_bidir_state", "LSTM", 3, 4, (3, 2, 3), state=True, numLayers=2, bidirectional=True, projSize=2),
        rnn_case("lstm_proj_batch_first", "LSTM", 3, 5, (2, 3, 3), batchFirst=True, projSize=3),
    ]
    torch.manual_seed(0)
    m = torch.nn.LSTM(3, 5, proj_size=2, dtype=torch.float32)
    return {"cases": cases, "init": {k: encode(v) for k, v in m.state_dict().items()}}


def packed_case(name, kind, input_size, hidden, lengths, state=False, enforce_sorted=True, total_length=None, **opts):
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    torch_opts = {{"numLayers": "num_layers", "batchFirst": "batch_first"}.get(k, k): v for k, v in opts.items()}
    m = RNN_CLASSES[kind](input_size, hidden, **torch_opts)
    bf = opts.get("batchFirst", False)
    B, T = len(lengths), max(lengths)
    x = torch.randn(B, T, input_size) if bf else torch.randn(T, B, input_size)
    d = 2 if opts.get("bidirectional") else 1
    sshape = (opts.get("numLayers", 1) * d, B, hidden)
    inputs = [x] + ([torch.randn(*sshape) for _ in range(2 if kind == "LSTM" else 1)] if state else [])

    def call(mod, a):
        packed = pack_padded_sequence(a[0], lengths, batch_first=bf, enforce_sorted=enforce_sorted)
        st = None if not state else ((a[1], a[2]) if kind == "LSTM" else a[1])
        out, final = mod(packed, st)
        return pad_packed_sequence(out, batch_first=bf, total_length=total_length)[0], final
    return module_case(name, m, inputs, opts, call=call, kind=kind, inputSize=input_size, hiddenSize=hidden,
                       lengths=lengths, enforceSorted=enforce_sorted, totalLength=total_length)


def packed_cases():
    from torch.nn.utils.rnn import pack_padded_sequence
    torch.manual_seed(8)
    cases = [
        packed_case("packed_lstm_2layers_bidir_unsorted_state", "LSTM", 3, 4, [5, 2, 4, 5], state=True, enforce_sorted=False,
                    numLayers=2, bidirectional=True),
        packed_case("packed_gru_batch_first_sorted_total_length", "GRU", 3, 4, [4, 3, 1], total_length=6, batchFirst=True),
        packed_case("packed_rnn_relu_bidir_state_ties", "RNN", 2, 3, [3, 1, 3], state=True, enforce_sorted=False,
                    nonlinearity="relu", bidirectional=True),
    ]
    x = torch.randn(5, 4, 2)
    p = pack_padded_sequence(x, [2, 5, 2, 3], enforce_sorted=False)
    pack = {"input": encode(x), "lengths": [2, 5, 2, 3], "data": encode(p.data), "batchSizes": p.batch_sizes.tolist(),
            "sortedIndices": p.sorted_indices.tolist(), "unsortedIndices": p.unsorted_indices.tolist()}
    return {"cases": cases, "pack": pack}


CELL_CLASSES = {"RNNCell": torch.nn.RNNCell, "LSTMCell": torch.nn.LSTMCell, "GRUCell": torch.nn.GRUCell}


def cell_case(name, kind, input_size, hidden, batch, state=False, **opts):
    m = CELL_CLASSES[kind](input_size, hidden, **opts)
    x = torch.randn(batch, input_size) if batch else torch.randn(input_size)
    sshape = (batch, hidden) if batch else (hidden,)
    if kind == "LSTMCell":
        inputs = [x, torch.randn(*sshape), torch.randn(*sshape)] if state else [x]
        call = (lambda mod, a: mod(a[0], (a[1], a[2]))) if state else (lambda mod, a: mod(a[0]))
    else:
        inputs = [x, torch.randn(*sshape)] if state else [x]
        call = lambda mod, a: mod(*a)
    return module_case(name, m, inputs, opts, call=call, kind=kind, inputSize=input_size, hiddenSize=hidden)


def cell_cases():
    torch.manual_seed(6)
    return [
        cell_case("rnn_cell_relu_state", "RNNCell", 3, 4, 2, state=True, nonlinearity="relu"),
        cell_case("rnn_cell_no_state_no_bias", "RNNCell", 3, 4, 2, bias=False),
        cell_case("lstm_cell_state", "LSTMCell", 3, 4, 2, state=True),
        cell_case("lstm_cell_unbatched", "LSTMCell", 3, 4, 0, state=True),
        cell_case("lstm_cell_zero_state", "LSTMCell", 3, 2, 1),
        cell_case("gru_cell_state", "GRUCell", 3, 4, 2, state=True),
        cell_case("gru_cell_unbatched_no_bias", "GRUCell", 3, 4, 0, state=True, bias=False),
    ]


def attention_cases():
    torch.manual_seed(3)
    kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
    kpm5 = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    float_mask = torch.randn(4, 4)
    cases = [
        mha_case("mha_self", 6, 2, (4, 2, 6)),
        mha_case("mha_cross_batch_first_per_head", 6, 3, (2, 3, 6), (2, 5, 6), self_attention=False, average=False, batchFirst=True),
        mha_case("mha_kdim_vdim_no_bias", 6, 2, (3, 2, 6), (5, 2, 6), self_attention=False, kdim=4, vdim=5, bias=False, kpm=kpm5),
        mha_case("mha_causal_bool_and_padding", 6, 2, (4, 2, 6), kpm=kpm, attn_mask=causal(4)),
        mha_case("mha_float_mask_and_padding_batch_first", 6, 2, (2, 4, 6), kpm=kpm, attn_mask=float_mask, batchFirst=True),
        mha_case("mha_3d_float_mask", 6, 3, (4, 2, 6), attn_mask=torch.randn(6, 4, 4)),
        mha_case("mha_float_padding_mask", 6, 2, (4, 2, 6), kpm=torch.randn(2, 4)),
        mha_case("mha_unbatched_padding", 6, 2, (4, 6), kpm=torch.tensor([False, True, False, False])),
        mha_case("mha_no_weights", 6, 2, (3, 2, 6), need_weights=False),
        mha_case("mha_eval_dropout", 6, 2, (4, 2, 6), train=False, dropout=0.3, attn_mask=causal(4)),
        mha_case("mha_length1_batch1", 4, 1, (1, 1, 4)),
        mha_case("mha_bias_kv_causal_padding", 6, 2, (4, 2, 6), kpm=kpm, attn_mask=causal(4), add_bias_kv=True),
        mha_case("mha_bias_kv_zero_attn_cross_batch_first", 6, 3, (2, 3, 6), (2, 5, 6), self_attention=False, average=False,
                 kpm=kpm5, attn_mask=torch.randn(3, 5), batchFirst=True, add_bias_kv=True, add_zero_attn=True),
        mha_case("mha_zero_attn_only", 6, 2, (3, 2, 6), add_zero_attn=True),
    ]
    return cases


def transformer_case(name, d, nhead, shape, src_mask=None, kpm=None, train=True, **opts):
    names = {"dimFeedforward": "dim_feedforward", "layerNormEps": "layer_norm_eps", "batchFirst": "batch_first", "normFirst": "norm_first"}
    torch_opts = {names.get(k, k): v for k, v in opts.items()}
    m = torch.nn.TransformerEncoderLayer(d, nhead, **torch_opts)
    # non-trivial norm parameters, so that the fixture checks where they enter
    with torch.no_grad():
        for norm in [m.norm1, m.norm2]:
            norm.weight.add_(torch.randn_like(norm.weight) * 0.1)
            norm.bias.add_(torch.randn_like(norm.bias) * 0.1)
    inputs = [torch.randn(*shape), src_mask, kpm]
    call = lambda mod, a: mod(a[0], src_mask=a[1], src_key_padding_mask=a[2])
    return module_case(name, m, inputs, opts, grad_inputs=[0], train=train, call=call, kind="TransformerEncoderLayer", dModel=d, nhead=nhead)


def transformer_cases():
    torch.manual_seed(4)
    kpm = torch.tensor([[False, False, True, True], [False, False, False, False]])
    return [
        transformer_case("encoder_post_norm_relu", 8, 2, (4, 2, 8), dimFeedforward=16, dropout=0.0),
        transformer_case("encoder_pre_norm_gelu_batch_first_masks", 8, 2, (2, 4, 8), src_mask=causal(4), kpm=kpm,
                         dimFeedforward=12, dropout=0.0, activation="gelu", batchFirst=True, normFirst=True),
        transformer_case("encoder_eval_dropout_float_mask_eps", 8, 4, (4, 2, 8), src_mask=torch.randn(4, 4), train=False,
                         dimFeedforward=16, dropout=0.2, layerNormEps=1e-3),
        transformer_case("encoder_length1_batch1", 4, 1, (1, 1, 4), dimFeedforward=6, dropout=0.0, normFirst=True),
    ]


def encoder_stack_case():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    encoder = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8))
    after = torch.nn.Linear(3, 2)  # where the random stream stands after the copies
    init = {k: encode(v) for k, v in encoder.state_dict().items()}
    init.update({"after." + k: encode(v) for k, v in after.state_dict().items()})
    with torch.no_grad():  # distinct layers, so that the test tells them apart
        for p in encoder.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    inputs = [torch.randn(2, 4, 8), causal(4), kpm]
    case = module_case("encoder_stack", encoder, inputs, {}, grad_inputs=[0], train=True,
                       call=lambda mod, a: mod(a[0], mask=a[1], src_key_padding_mask=a[2]), kind="TransformerEncoder")
    case["init"] = init
    return case


def decoder_case(name, d, nhead, tgt_shape, mem_shape, masks=(None, None, None, None), train=True, stack=0, **opts):
    names = {"dimFeedforward": "dim_feedforward", "layerNormEps": "layer_norm_eps", "batchFirst": "batch_first", "normFirst": "norm_first"}
    torch_opts = {names.get(k, k): v for k, v in opts.items()}
    m = torch.nn.TransformerDecoderLayer(d, nhead, **torch_opts)
    if stack:
        m = torch.nn.TransformerDecoder(m, stack, norm=torch.nn.LayerNorm(d))
    with torch.no_grad():  # distinct, non-trivial weights everywhere (norms included, stacked copies told apart)
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    inputs = [torch.randn(*tgt_shape), torch.randn(*mem_shape), *masks]
    call = lambda mod, a: mod(a[0], a[1], tgt_mask=a[2], memory_mask=a[3], tgt_key_padding_mask=a[4], memory_key_padding_mask=a[5])
    return module_case(name, m, inputs, opts, grad_inputs=[0, 1], train=train, call=call,
                       kind="TransformerDecoder" if stack else "TransformerDecoderLayer", dModel=d, nhead=nhead, stack=stack)


def decoder_cases():
    torch.manual_seed(10)
    tgt_kpm = torch.tensor([[False, False, True], [False, False, False]])
    mem_kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    cases = [
        decoder_case("decoder_post_norm_causal_memory_padding", 8, 2, (3, 2, 8), (5, 2, 8), (causal(3), None, None, mem_kpm),
                     dimFeedforward=16, dropout=0.0),
        decoder_case("decoder_pre_norm_gelu_batch_first_all_masks", 8, 2, (2, 3, 8), (2, 5, 8),
                     (causal(3), torch.randn(3, 5), tgt_kpm, mem_kpm), dimFeedforward=12, dropout=0.0, activation="gelu",
                     batchFirst=True, normFirst=True),
        decoder_case("decoder_eval_dropout", 8, 4, (3, 2, 8), (4, 2, 8), train=False, dimFeedforward=16, dropout=0.3),
        decoder_case("decoder_stack_norm", 8, 2, (3, 2, 8), (5, 2, 8), (causal(3), None, None, mem_kpm), stack=2,
                     dimFeedforward=16, dropout=0.0),
    ]
    torch.manual_seed(0)
    layer = torch.nn.TransformerDecoderLayer(8, 2, 12, dtype=torch.float32)
    init = {k: encode(v) for k, v in layer.state_dict().items()}
    return {"cases": cases, "init": init, "transformer": transformer_model_case()}


def transformer_model_case():
    """nn.Transformer: its default (xavier) init after manual_seed(0), then a forward pass with every mask."""
    torch.manual_seed(0)
    m = torch.nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12, dropout=0.0, batch_first=True)
    init = {k: encode(v) for k, v in m.state_dict().items()}
    src_kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    inputs = [torch.randn(2, 4, 8), torch.randn(2, 3, 8), m.generate_square_subsequent_mask(3), src_kpm]
    call = lambda mod, a: mod(a[0], a[1], tgt_mask=a[2], src_key_padding_mask=a[3], memory_key_padding_mask=a[3])
    case = module_case("transformer", m, inputs, {"numEncoderLayers": 2, "numDecoderLayers": 1, "dimFeedforward": 12, "dropout": 0.0,
                       "batchFirst": True}, grad_inputs=[0, 1], train=True, call=call, kind="Transformer", dModel=8, nhead=2)
    case["init"] = init
    return case


def sdpa_cases():
    torch.manual_seed(5)
    F_sdpa = torch.nn.functional._scaled_dot_product_attention
    q, k, v = torch.randn(2, 3, 4, 5), torch.randn(2, 3, 6, 5), torch.randn(2, 3, 6, 7)
    take_part = torch.rand(4, 6) > 0.3
    take_part[:, 0] = True
    cases = [
        run_case("sdpa_plain", "sdpa", lambda a, b, c: F_sdpa(a, b, c, None, 0.0, False, False)[0], [q, k, v], [0, 1, 2]),
        run_case("sdpa_bool_mask", "sdpa", lambda a, b, c, m: F_sdpa(a, b, c, m, 0.0, False, False)[0], [q, k, v, take_part], [0, 1, 2]),
        run_case("sdpa_float_mask", "sdpa", lambda a, b, c, m: F_sdpa(a, b, c, m, 0.0, False, False)[0], [q, k, v, torch.randn(4, 6)], [0, 1, 2]),
        run_case("sdpa_causal", "sdpa", lambda a, b, c: F_sdpa(a, b, c, None, 0.0, False, True)[0], [q, q, v[:, :, :4]], [0, 2],
                 options={"isCausal": True}),
    ]
    return cases


class SeqModel(torch.nn.Module):
    """A small sequence tagger: embedding, a pre-norm encoder layer, a bidirectional LSTM and a linear head."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(10, 8, padding_idx=0)
        self.encoder = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True)
        self.lstm = torch.nn.LSTM(8, 6, batch_first=True, bidirectional=True)
        self.head = torch.nn.Linear(12, 5)

    def forward(self, tokens, padding):
        x = self.encoder(self.embed(tokens), src_key_padding_mask=padding)
        out, _ = self.lstm(x)
        return self.head(out)


def seq_model_case():
    torch.manual_seed(7)
    model = SeqModel()
    tokens = torch.tensor([[3, 5, 1, 0, 0], [2, 9, 4, 7, 8]])
    padding = tokens == 0
    labels = torch.tensor([[1, 4, 0, -100, -100], [2, 2, 3, 0, 1]])
    logits = model(tokens, padding)
    loss = F.cross_entropy(logits.transpose(1, 2), labels, label_smoothing=0.1)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    return {
        "stateDict": {k: encode(v) for k, v in model.state_dict().items()},
        "tokens": encode(tokens), "padding": encode(padding), "labels": encode(labels),
        "logits": encode(logits), "loss": encode(loss),
        "grads": {k: encode(g) for (k, _), g in zip(model.named_parameters(), grads)},
    }


def attention_init():
    """Default initial weights (float32) after torch.manual_seed(0), to compare with descent after manualSeed(0)."""
    out = {}
    torch.manual_seed(0)
    out["mha"] = {k: encode(v) for k, v in torch.nn.MultiheadAttention(8, 2, dtype=torch.float32).state_dict().items()}
    torch.manual_seed(0)
    out["mha_kdim"] = {k: encode(v) for k, v in torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=5, dtype=torch.float32).state_dict().items()}
    torch.manual_seed(0)
    out["mha_bias_kv"] = {k: encode(v) for k, v in torch.nn.MultiheadAttention(8, 2, add_bias_kv=True, dtype=torch.float32).state_dict().items()}
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dtype=torch.float32)
    out["encoder"] = {k: encode(v) for k, v in layer.state_dict().items()}
    return out


if __name__ == "__main__":
    dump("nn_loss", {"cases": loss_cases() + ctc_cases()})
    dump("nn_rnn", dict(rnn_cases(), cells=cell_cases(), packed=packed_cases(), proj=proj_cases()))
    dump("nn_attention", {"mha": attention_cases(), "transformer": transformer_cases(), "sdpa": sdpa_cases(), "init": attention_init(), "model": seq_model_case(), "stack": encoder_stack_case()})
    dump("nn_attention_decoder", decoder_cases())
