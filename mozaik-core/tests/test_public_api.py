"""Snapshots of each core package's public names: changing them is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SNAPSHOT = {
    "mozaik": [
        "AnalysisDataStructureError", "AnalysisError", "ConfigError", "DataStoreError",
        "DataStoreFormatError", "DuplicatePresentationError", "DuplicateResultError",
        "MozaikError", "PluginConflictError", "PluginError", "PluginLoadError",
        "ReadOnlyStoreError", "SimulationError", "SimulatorNotInstalledError",
        "StoreLockedError", "UnknownComponentError", "__version__"
    ],
    "mozaik.ads": [
        "AnalogSignal", "AnalogSignalList", "AnalysisDataStructure", "ConductanceSignalList",
        "Connections", "PerNeuronPairValue", "PerNeuronValue", "SingleValue", "ads_class",
        "ads_classes", "ads_provider", "data", "parameter", "parse_units", "units_parameter",
        "units_string"
    ],
    "mozaik.analysis": [
        "Analysis"
    ],
    "mozaik.cli": [
        "main"
    ],
    "mozaik.config": [
        "ALLOW_NON_FINITE", "ARRAY_FUNCTIONS", "ComponentRef", "ConfigTree", "ControllerConfig",
        "DISTRIBUTIONS", "Distribution", "Expr", "ExpressionError", "INCLUDE_PATH_ENV",
        "IncludePolicy", "MAX_DEPTH", "MAX_EXPRESSION_CHARS", "MAX_EXPRESSION_DEPTH",
        "MAX_FILE_BYTES", "MAX_INCLUDE_DEPTH", "MAX_INTEGER_BITS", "MAX_NODES",
        "MAX_REF_DEPTH", "MAX_THREADS", "NonFiniteFloat", "ParameterError",
        "ProblemCollector", "STUDY_FILE",
        "SimulatorConfig", "apply_overrides", "component_refs", "converter",
        "distribution_of", "evaluate_array", "expression_names", "get_path", "load_config",
        "load_tree", "make_converter", "non_negative", "old_fields", "parse_array_expression",
        "parse_expression", "positive", "renamed_fields", "resolve", "structure"
    ],
    "mozaik.controller": [
        "Backend", "LOG_FILE", "LocalBackend", "LocalBackendParams", "Presentation",
        "Progress", "Ranks", "RunInterrupted", "RunState", "RunSummary",
        "analyses_write_failed", "check_simulator", "check_writable",
        "config_differences", "default_run_dir", "is_run_dir", "plan_presentations",
        "repair_run", "resolve_progress_mode", "run_dir_name", "run_logging", "run_study",
        "study_from_run_dir", "write_fault"
    ],
    "mozaik.datastore": [
        "AnalogArrays", "Collation", "DamagedPresentation", "DataStore", "DataStoreView",
        "EDGE_TOLERANCE_MS", "FORMAT_VERSION", "Problem", "QueryWarning", "SegmentList",
        "SheetRecording", "SignalRecording", "SpikeArrays", "WHOLE_FORMAT_VERSION", "check_store",
        "collate_analysis_results", "collect_provenance", "damaged_presentations",
        "equal_ads", "equal_ads_type",
        "equal_stimulus", "equal_stimulus_type", "export_nix", "export_view", "now_iso",
        "open_for_write", "param_filter_query",
        "partition_analysis_results_by_parameters",
        "partition_analysis_results_by_stimulus_parameters", "partition_by_stimulus_parameters",
        "read_run_file", "read_run_json", "refuse_links", "sheet_recording_from_segment",
        "spike_bin", "summarize", "summary_data", "tag_based_query"
    ],
    "mozaik.experiments": [
        "CurrentInjection", "CurrentInjectionParams", "DirectStimulator", "Experiment",
        "NoStimulation", "NoStimulationParams", "PoissonKick", "PoissonNetworkKick",
        "PoissonNetworkKickParams", "StepCurrent", "experiment_rng", "select_cells", "sheet_of"
    ],
    "mozaik.model": [
        "AllToAllConnector", "AllToAllParams", "BACKENDS", "CellParams", "Connector",
        "ConnectorFunction", "Constant", "ConstantParams", "DistanceDependentParams",
        "DistanceDependentProbabilityConnector", "ExponentialDistance",
        "ExponentialDistanceParams", "FixedNumberParams", "FixedNumberPostConnector",
        "FixedNumberPreConnector", "FixedProbabilityConnector", "FixedProbabilityParams",
        "FromListConnector", "FromListParams", "FunctionEntry", "GaussianDistance",
        "GaussianDistanceParams", "HyperbolicDistance", "HyperbolicDistanceParams", "InputSpace",
        "LinearDistance", "LinearDistanceParams", "Model", "ModularBernoulliConnector",
        "ModularBernoulliParams", "ModularConnector", "ModularParams", "ModularSamplingConnector",
        "ModularSamplingParams", "NeuronSelection", "NoiseParams", "OneToOneConnector",
        "OneToOneParams", "PairBlock", "PlacementParams", "ProjectionParams", "PyNNConnector",
        "RECORDABLE", "RandomValue", "RandomValueParams", "RecorderParams", "SensoryInput",
        "Sheet", "SheetParams", "SynapseParams", "build_model", "connections_ads", "derive_seed",
        "import_backend",
        "make_rng", "project_arrays", "setup_simulator", "standard_cell_types"
    ],
    "mozaik.plot": [
        "Plot", "SearchPlot"
    ],
    "mozaik.plugin": [
        "ADSTable", "ADS_KIND", "AUTOLOAD_ENV", "AnalysisFactory", "BLOCKED_ENV", "BackendFactory",
        "COMPONENT_KINDS", "ComponentSpec", "ComponentTable", "ConnectorFactory",
        "ConnectorFunctionFactory", "ExperimentFactory", "HOOK_API_VERSION", "InputSpaceFactory",
        "PROJECT_NAME", "PlotFactory", "PluginInfo", "PluginManager", "RegisteredADS",
        "RegisteredComponent", "Registry", "SearchPlotFactory", "SensoryInputFactory",
        "SheetAnnotations", "SheetFactory",
        "StimulusFactory", "get_plugin_manager", "get_registry", "hookimpl", "hookspec",
        "kind_label", "lazy_exports", "reset_plugin_manager"
    ],
    "mozaik.search": [
        "BACKEND_ALIASES", "COLLATED_COLUMNS", "COLLATED_FILE", "INDEX_COLUMNS", "INDEX_FILE",
        "KINDS", "SEARCH_FIGURES_DIR", "STATUSES", "Search", "SearchSummary",
        "collate_search", "load_master", "load_search", "make_points", "plot_search",
        "point_dir", "point_values", "query_search", "read_index", "refresh_index",
        "run_point", "run_points_in_pool", "run_search", "search_backend",
        "search_from_mapping", "search_plot_entries", "write_status"
    ],
    "mozaik.stimulus": [
        "InternalStimulus", "InternalStimulusParams", "NullStimulus", "NullStimulusParams",
        "ParamValue", "Stimulus", "StimulusIdentity", "flatten_params", "unflatten_params"
    ],
    "mozaik.study": [
        "BASE_BYTES", "ComponentEntry", "ConnectorEntry", "ConnectorSize",
        "NEST_BYTES_PER_CONNECTION", "NEST_BYTES_PER_NEURON", "SECTIONS", "STUDY_SECTIONS",
        "Section", "SizeEstimate", "Study", "THREADS_PER_CORE_LIMIT", "WORKFLOW_SECTIONS",
        "WorkflowEntry", "check_size", "check_threads", "estimate_size", "load_study",
        "load_workflow_sections", "machine_cores", "machine_memory_bytes",
        "structure_component", "study_from_tree"
    ],
    "mozaik.testing": [
        "AnalysisContract", "BackendContract", "ComponentContract", "ConnectorContract",
        "ExperimentContract", "HookCall", "HookCallRecorder", "InputSpaceContract",
        "PlotContract", "PluginDistributionContract", "SEARCH_TABLE_PARAMETERS",
        "SearchPlotContract", "SheetContract", "StimulusContract", "TINY_STORE",
        "TinyStoreLayout", "assert_same_spikes", "bare_plugin_manager", "hook_recorder",
        "make_plugin", "make_search_table", "make_tiny_store", "plugin_manager",
        "register_components", "stored_spikes", "tiny_store", "use_plugin_manager"
    ],
    "mozaik.workflow": [
        "FIGURES_DIR", "MANIFEST_FIELD", "Step", "failed_plots", "load_workflow", "pending_steps",
        "plan_steps", "run_workflow", "view_digest"
    ],
}


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_all_snapshot(module: str) -> None:
    mod = importlib.import_module(module)
    assert list(mod.__all__) == sorted(mod.__all__), "keep __all__ sorted"
    assert list(mod.__all__) == SNAPSHOT[module]
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name} is in __all__ but missing"
