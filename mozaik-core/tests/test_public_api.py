"""Snapshots of each core package's public names: changing them is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SNAPSHOT = {
    "mozaik": [
        "AnalysisDataStructureError", "AnalysisError", "ConfigError", "DataStoreError",
        "DataStoreFormatError", "DuplicatePresentationError", "DuplicateResultError",
        "ExportError", "MozaikError", "PluginConflictError", "PluginError", "PluginLoadError",
        "ReadOnlyStoreError", "RunExploded", "SimulationError", "SimulatorNotInstalledError",
        "StoreLockedError", "UnknownComponentError", "__version__"
    ],
    "mozaik.ads": [
        "AnalogSignal", "AnalogSignalList", "AnalysisDataStructure", "ConductanceSignalList",
        "Connections", "PerNeuronPairValue", "PerNeuronValue", "SingleValue", "ads_class",
        "ads_classes", "ads_provider", "data", "parameter", "parse_units", "units_parameter",
        "units_string"
    ],
    "mozaik.analysis": [
        "ANALYSES", "Analysis", "AnalysisFactory"
    ],
    "mozaik.backends": [
        "BACKENDS", "Backend", "BackendFactory", "DEFAULT_BACKEND", "LocalBackend",
        "LocalBackendParams", "RunOptions", "backend_component", "build_backend",
        "resolve_backend", "search_backend", "study_backend"
    ],
    "mozaik.cli": [
        "cli", "cli_reference", "component_reference", "configuration_reference", "field_rows",
        "main", "parameter_docs", "replace_generated"
    ],
    "mozaik.config": [
        "ALLOW_NON_FINITE", "ARRAY_FUNCTIONS", "ComponentRef", "ConfigTree", "ControllerConfig",
        "DISTRIBUTIONS", "Distribution", "Expr", "ExpressionError", "INCLUDE_PATH_ENV",
        "IncludePolicy", "MAX_DEPTH", "MAX_EXPRESSION_CHARS", "MAX_EXPRESSION_DEPTH",
        "MAX_FILE_BYTES", "MAX_INCLUDE_DEPTH", "MAX_INTEGER_BITS", "MAX_NODES",
        "MAX_REF_DEPTH", "MAX_THREADS", "NonFiniteFloat", "ParameterError",
        "ProblemCollector", "Rule", "RunawayThreshold", "STUDY_FILE", "SimulatorConfig",
        "StudyPath", "apply_overrides", "at_least", "component_refs", "converter",
        "distribution_of", "each", "evaluate_array", "expression_names", "finite", "get_path",
        "in_range", "load_config", "load_tree", "make_converter", "non_negative", "old_fields",
        "parse_array_expression", "parse_expression", "positive", "probability",
        "renamed_fields", "resolve", "structure", "whole_number"
    ],
    "mozaik.controller": [
        "EXPLODED_EXIT_STATUS", "LOG_FILE", "Presentation",
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
    "mozaik.export": [
        "EXPORTERS", "EXTRA_FORMATS", "Exporter", "ExporterFactory", "build_exporter", "export"
    ],
    "mozaik.experiments": [
        "CurrentInjection", "CurrentInjectionParams", "DirectStimulator", "EXPERIMENTS",
        "Experiment", "ExperimentFactory", "INJECTED_CURRENT", "InjectedCurrent",
        "NoStimulation", "NoStimulationParams", "PerNeuronCurrent", "PoissonKick",
        "PoissonNetworkKick", "PoissonNetworkKickParams", "StepCurrent", "experiment_rng",
        "select_cells", "sheet_of"
    ],
    "mozaik.model": [
        "AllToAllConnector", "AllToAllParams", "BACKENDS", "CONNECTORS", "CONNECTOR_FUNCTIONS",
        "CellParams", "Connector", "ConnectorFactory", "ConnectorFunction",
        "ConnectorFunctionFactory", "Constant", "ConstantParams", "DistanceDependentParams",
        "DistanceDependentProbabilityConnector", "ExponentialDistance",
        "ExponentialDistanceParams", "FixedNumberParams", "FixedNumberPostConnector",
        "FixedNumberPreConnector", "FixedProbabilityConnector", "FixedProbabilityParams",
        "FromListConnector", "FromListParams", "FunctionEntry", "GaussianDistance",
        "GaussianDistanceParams", "HyperbolicDistance", "HyperbolicDistanceParams", "INPUT_SPACES",
        "InputSpace", "InputSpaceFactory", "LinearDistance", "LinearDistanceParams", "Model",
        "ModularBernoulliConnector", "ModularBernoulliParams", "ModularConnector", "ModularParams",
        "ModularSamplingConnector", "ModularSamplingParams", "NeuronSelection", "NoiseParams",
        "OneToOneConnector", "OneToOneParams", "PairBlock", "PlacementParams", "ProjectionParams",
        "PyNNConnector", "RECORDABLE", "REVERSAL_POTENTIALS", "RandomValue", "RandomValueParams",
        "RecorderParams",
        "SENSORY_INPUTS", "SHEETS", "SensoryInput", "SensoryInputFactory", "Sheet",
        "SheetBaseParams", "SheetFactory",
        "SheetParams", "SynapseParams", "build_model", "connections_ads", "derive_seed",
        "import_backend", "make_rng", "project_arrays", "setup_simulator", "standard_cell_types"
    ],
    "mozaik.plot": [
        "PLOTS", "Plot", "PlotFactory", "SEARCH_PLOTS", "SearchPlot", "SearchPlotFactory"
    ],
    "mozaik.plugin": [
        "ADSTable", "ADS_KIND", "AUTOLOAD_ENV", "AnyComponent", "BLOCKED_ENV", "COMPONENT_KINDS",
        "ComponentKind", "ComponentSpec", "ComponentTable", "HOOK_API_VERSION", "PROJECT_NAME",
        "PluginInfo", "PluginManager", "RegisteredADS", "RegisteredComponent", "Registry",
        "SheetAnnotations", "get_plugin_manager", "get_registry", "hookimpl", "hookspec",
        "kind_label", "lazy_exports", "reset_plugin_manager"
    ],
    "mozaik.search": [
        "COLLATED_COLUMNS", "COLLATED_FILE", "Constraint", "INDEX_BYTES_PER_POINT",
        "INDEX_COLUMNS", "INDEX_FILE", "JOURNAL_FILE", "KINDS", "LARGE_SEARCH_POINTS",
        "Objective", "Optimisation", "Range", "SAMPLERS",
        "SEARCH_FIGURES_DIR", "STATUSES", "Search", "SearchBackend", "SearchOptions",
        "SearchProgress", "SearchSummary", "TRIALS_FILE", "aggregate_over", "best_trials",
        "check_search_size", "collate_search", "current_index", "estimate_disk",
        "format_duration",
        "history_lines",
        "load_master", "load_search", "make_points", "plot_search", "point_dir", "point_values",
        "query_search", "read_index", "refresh_index", "run_optimisation", "run_point",
        "run_points_in_pool", "run_search", "save_definition", "search_from_mapping",
        "search_plot_entries", "trial_table", "write_status"
    ],
    "mozaik.stimulus": [
        "Frames", "InternalStimulus", "InternalStimulusParams", "NullStimulus",
        "NullStimulusParams", "ParamValue", "STIMULI", "Stimulus", "StimulusFactory",
        "StimulusIdentity", "StimulusParams", "flatten_params", "stimulus_from_identity",
        "unflatten_params"
    ],
    "mozaik.study": [
        "BASE_BYTES", "ComponentEntry", "ConnectorEntry", "ConnectorSize", "Entry",
        "NEST_BYTES_PER_CONNECTION", "NEST_BYTES_PER_NEURON", "RECORDING_BUDGET_BYTES_PER_S",
        "SAMPLE_BYTES", "SECTIONS", "STUDY_SECTIONS",
        "Section", "SizeEstimate", "Study", "THREADS_PER_CORE_LIMIT", "WORKFLOW_SECTIONS",
        "WorkflowEntry", "check_densities", "check_recording", "check_size", "check_threads",
        "estimate_size",
        "load_study",
        "load_workflow_sections", "machine_cores", "machine_memory_bytes", "structure_component",
        "study_from_tree"
    ],
    "mozaik.testing": [
        "AnalysisContract", "BackendContract", "ComponentContract", "ConnectorContract",
        "ExperimentContract", "ExporterContract", "HookCall", "HookCallRecorder",
        "InputSpaceContract",
        "PlotContract", "PluginDistributionContract", "SEARCH_TABLE_PARAMETERS",
        "SearchPlotContract", "SheetContract", "StimulusContract", "TINY_STORE",
        "TinyStoreLayout", "assert_same_spikes", "bare_plugin_manager", "contract_study_dir",
        "contract_study_text",
        "hook_recorder",
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
