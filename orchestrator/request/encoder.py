"""Sentence embeddings for the router: a sentence-transformers model folder, run without the import cost.

``import sentence_transformers`` pulls in scikit-learn and its training stack, a large share of a
cold ``orch run``. all-MiniLM-L6-v2's folder declares a plain
pipeline in ``modules.json``: Transformer -> mean Pooling -> Normalize. When a folder declares
exactly that (mean or CLS pooling, optional Normalize), ``PipelineEncoder`` runs it on
transformers directly; any other pipeline is loaded with sentence-transformers itself. The test
suite checks the two give the same embeddings.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

TRANSFORMER = "sentence_transformers.models.Transformer"
POOLING = "sentence_transformers.models.Pooling"
NORMALIZE = "sentence_transformers.models.Normalize"


class PipelineEncoder:
    """Transformer -> Pooling (mean or CLS) -> optional Normalize, as declared in the model folder."""

    def __init__(self, path: Path, pooling: str, normalize: bool, max_seq_length: int) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).eval()
        self.pooling = pooling
        self.normalize = normalize
        self.max_seq_length = max_seq_length

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = False, **_) -> torch.Tensor:
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=self.max_seq_length,
                return_tensors="pt",
            )
            hidden = self.model(**batch).last_hidden_state
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            if self.normalize or normalize_embeddings:
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            chunks.append(pooled)
        return torch.cat(chunks) if chunks else torch.empty(0)


def plain_pipeline(path: Path) -> tuple[str, bool, int] | None:
    """(pooling, normalize, max_seq_length) when the folder declares a plain pipeline, else None."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        types = [m["type"] for m in modules]
        if types[:2] != [TRANSFORMER, POOLING] or types[2:] not in ([], [NORMALIZE]):
            return None
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text())
        config = json.loads((path / "sentence_bert_config.json").read_text())
    except (OSError, KeyError, IndexError, json.JSONDecodeError):
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes == {"pooling_mode_mean_tokens"}:
        mode = "mean"
    elif modes == {"pooling_mode_cls_token"}:
        mode = "cls"
    else:
        return None
    return mode, types[2:] == [NORMALIZE], int(config.get("max_seq_length", 256))


def load_sentence_encoder(path: Path):
    """A plain pipeline runs on transformers (fast start); anything else on sentence-transformers."""
    from orchestrator.engines.base_model import quiet_transformers

    quiet_transformers()
    plan = plain_pipeline(path)
    if plan is not None:
        return PipelineEncoder(path, *plan)
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)
