"""Build the example passports in examples/passports/ from the values below.

The values are realistic but invented: no real company, battery or certificate is described.
Run from the repository root: ``python examples/build_passports.py`` (it refuses to change a
file whose content differs unless given ``--force``; the golden-file tests then show the diff).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from batterypass.codec import json as bp_json
from batterypass.model import parse_passport

HERE = Path(__file__).resolve().parent
OUT = HERE / "passports"
# `batterypass serve --demo` ships copies of three examples, their DEMO keys and the demo trust
# file inside the package (tests/service/test_demo_data.py checks they are equal).
DEMO = HERE.parent / "src" / "batterypass" / "service" / "demo"
DEMO_COPIES = {
    DEMO / "ev-nmc.json": OUT / "ev-nmc.json",
    DEMO / "lfp-storage.json": OUT / "lfp-storage.json",
    DEMO / "lmt-ebike.json": OUT / "lmt-ebike.json",
    DEMO / "ev-maker.DEMO-ONLY.key": HERE / "keys" / "ev-maker.DEMO-ONLY.key",
    DEMO / "storage-maker.DEMO-ONLY.key": HERE / "keys" / "storage-maker.DEMO-ONLY.key",
    DEMO / "ebike-maker.DEMO-ONLY.key": HERE / "keys" / "ebike-maker.DEMO-ONLY.key",
    DEMO / "trust.json": HERE / "trust.json",
}


D = Decimal


def _doc(title: str, url: str) -> dict[str, Any]:
    return {"title": title, "url": url, "media_type": "application/pdf"}


def ev_nmc() -> dict[str, Any]:
    base = "https://docs.example-cells.example/evp75"
    maker = {
        "id": "urn:lei:529900DEMO0EXAMPLE01",
        "name": "Example Cells Co., Ltd. (demo data)",
        "address": {
            "street": "1 Battery Road, Guangming District",
            "postal_code": "518107",
            "city": "Shenzhen",
            "country": "CN",
        },
        "email": "passport@example-cells.example",
        "website": "https://www.example-cells.example",
    }
    return {
        "passport_id": "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70",
        "battery_id": "https://id.example-cells.example/01/09506000134352/21/EVP75-000123",
        "issuer": "urn:lei:529900DEMO0EXAMPLE01",
        "issued_at": "2026-10-15T08:00:00+00:00",
        "status": "original",
        "general": {
            "manufacturer": maker,
            "operator": maker,
            "battery_model": "EVP-75 NMC811",
            "category": "ev",
            "stationary_energy_storage": False,
            "manufacturing_place": {
                "name": "Guangming pack plant 2",
                "address": {"city": "Shenzhen", "country": "CN", "postal_code": "518107"},
            },
            "manufacturing_date": "2026-09-30",
            "mass_kg": D("452.5"),
            "warranty_period_months": 96,
            "put_into_service_date": "2026-10-12",
        },
        "carbon_footprint": {
            "total_kg_co2e_per_kwh": D("0.052"),
            "raw_material_acquisition_kg_co2e_per_kwh": D("0.032"),
            "main_production_kg_co2e_per_kwh": D("0.016"),
            "distribution_kg_co2e_per_kwh": D("0.001"),
            "end_of_life_kg_co2e_per_kwh": D("0.003"),
            "rounding_kg_co2e_per_kwh": D("0.001"),
            "performance_class": "B",
            "class_scheme": "batterypass-illustrative-2027 (not regulatory)",
            "study_url": f"{base}/carbon-footprint-study.pdf",
            "absolute_kg_co2e": D("5616"),
        },
        "due_diligence": {
            "report_url": f"{base}/due-diligence-report-2026.pdf",
            "third_party_assurances": ["https://assurance.example.org/certificates/EC-2026-0042"],
        },
        "materials": {
            "chemistry": {"family": "nmc", "designation": "NMC 811 / graphite"},
            "critical_raw_materials": [
                {"name": "Cobalt", "cas_number": "7440-48-4", "concentration_percent": D("1.6")},
                {"name": "Lithium", "cas_number": "7439-93-2", "concentration_percent": D("1.5")},
                {
                    "name": "Natural graphite",
                    "cas_number": "7782-42-5",
                    "concentration_percent": D("15.5"),
                },
                {"name": "Nickel", "cas_number": "7440-02-0", "concentration_percent": D("12.4")},
                {"name": "Manganese", "cas_number": "7439-96-5", "concentration_percent": D("1.4")},
            ],
            "hazardous_substances": [
                {
                    "name": "Lithium hexafluorophosphate",
                    "cas_number": "21324-40-3",
                    "ec_number": "244-334-7",
                    "concentration_percent": D("1.2"),
                    "hazard_classes": ["Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1"],
                    "location": "electrolyte",
                },
                {
                    "name": "Nickel cobalt manganese oxide (LiNi0.8Mn0.1Co0.1O2)",
                    "concentration_percent": D("22.0"),
                    "hazard_classes": ["Skin Sens. 1", "Carc. 1A"],
                    "location": "cathode",
                },
            ],
            "substance_impact_url": f"{base}/substances-impact.pdf",
            "materials": [
                {"component": "cathode", "name": "LiNi0.8Mn0.1Co0.1O2", "mass_kg": D("99.6")},
                {
                    "component": "anode",
                    "name": "Natural graphite",
                    "cas_number": "7782-42-5",
                    "mass_kg": D("70.1"),
                },
                {"component": "electrolyte", "name": "LiPF6 in EC/EMC", "mass_kg": D("45.0")},
                {
                    "component": "current-collector",
                    "name": "Copper foil",
                    "cas_number": "7440-50-8",
                    "mass_kg": D("25.3"),
                },
            ],
            "element_masses": [
                {"element": "nickel", "mass_kg": D("56.1")},
                {"element": "cobalt", "mass_kg": D("7.1")},
                {"element": "manganese", "mass_kg": D("6.6")},
                {"element": "lithium", "mass_kg": D("6.8")},
                {"element": "copper", "mass_kg": D("25.3")},
                {"element": "aluminium", "mass_kg": D("91.0")},
                {"element": "graphite", "mass_kg": D("70.1")},
            ],
        },
        "circularity": {
            "recycled_content": [
                {
                    "material": "cobalt",
                    "pre_consumer_percent": D("4.0"),
                    "post_consumer_percent": D("12.5"),
                    "total_percent": D("16.5"),
                },
                {
                    "material": "lithium",
                    "pre_consumer_percent": D("2.0"),
                    "post_consumer_percent": D("4.5"),
                    "total_percent": D("6.5"),
                },
                {
                    "material": "nickel",
                    "pre_consumer_percent": D("2.5"),
                    "post_consumer_percent": D("4.0"),
                    "total_percent": D("6.5"),
                },
            ],
            "renewable_content_percent": D("3.2"),
            "waste_prevention_info_url": f"{base}/end-user-waste-prevention.pdf",
            "separate_collection_info_url": f"{base}/separate-collection.pdf",
            "end_of_life_info_url": f"{base}/second-life-and-treatment.pdf",
            "waste_management_info_url": f"{base}/waste-management.pdf",
            "dismantling_information": [
                _doc("Pack removal manual", f"{base}/pack-removal.pdf"),
                _doc("Disassembly sequence and tools", f"{base}/disassembly.pdf"),
            ],
            "part_numbers": [
                {"component": "Module (12s2p)", "part_number": "EVP75-MOD-12S2P-A"},
                {"component": "Battery management system", "part_number": "EVP75-BMS-03"},
            ],
            "spare_part_sources": [
                {
                    "name": "Example Cells after-sales",
                    "email": "spares@example-cells.example",
                    "url": "https://spares.example-cells.example",
                },
            ],
            "safety_measures": [_doc("High-voltage safety instructions", f"{base}/hv-safety.pdf")],
        },
        "performance": {
            "rated_capacity_ah": D("211"),
            "certified_usable_energy_kwh": D("72.0"),
            "minimum_voltage_v": D("288.0"),
            "nominal_voltage_v": D("355.2"),
            "maximum_voltage_v": D("403.2"),
            "original_power_capability": [
                {"state_of_charge_percent": D("80"), "power_w": D("250000")},
                {"state_of_charge_percent": D("20"), "power_w": D("180000")},
            ],
            "maximum_permitted_power_w": D("260000"),
            "power_to_energy_ratio_w_per_wh": D("3.3"),
            "expected_lifetime_cycles": 1500,
            "cycle_life_reference_test": "IEC 62660-1:2018, clause 7.6",
            "cycle_life_c_rate": D("0.33"),
            "capacity_threshold_for_exhaustion_percent": D("70"),
            "idle_temperature_min_c": D("-40"),
            "idle_temperature_max_c": D("60"),
            "idle_temperature_reference_test": "IEC 62660-2:2018, clause 6.5 (storage test)",
            "voltage_temperature_range": {"min_c": D("-20"), "max_c": D("55")},
            "power_temperature_range": {"min_c": D("-20"), "max_c": D("55")},
            "initial_round_trip_efficiency_percent": D("95.5"),
            "round_trip_efficiency_at_50pct_cycle_life_percent": D("93.0"),
            "internal_resistance_cell_ohm": D("0.0009"),
            "internal_resistance_pack_ohm": D("0.085"),
            "expected_lifetime_years": D("12"),
            "capacity_fade_percent": D("0"),
            "power_fade_percent": D("0"),
            "round_trip_efficiency_fade_percent": D("0"),
            "internal_resistance_increase_percent": D("0"),
        },
        "state": {
            "state_of_health": {
                "measured_at": "2026-10-14T16:30:00+00:00",
                "remaining_capacity_ah": D("211"),
                "remaining_energy_kwh": D("72.0"),
                "state_of_certified_energy_percent": D("100"),
                "remaining_power_capability": [
                    {"state_of_charge_percent": D("80"), "power_w": D("242000")},
                    {"state_of_charge_percent": D("20"), "power_w": D("171500")},
                ],
                "remaining_round_trip_efficiency_percent": D("95.5"),
            },
            "usage": {
                "recorded_at": "2026-10-14T16:30:00+00:00",
                "state_of_charge_percent": D("38"),
                "full_cycles": 3,
                "energy_throughput_kwh": D("216.4"),
                "capacity_throughput_ah": D("610"),
                "deep_discharge_events": 0,
                "overcharge_events": 0,
                "temperature_c": D("24"),
                "negative_events": [],
            },
        },
        "labels": {
            "separate_collection_symbol": _doc(
                "Crossed-out wheeled bin symbol", f"{base}/labels/separate-collection.svg"
            )
            | {"media_type": "image/svg+xml"},
            "cadmium_lead_symbols": [],
            "extinguishing_agents": ["Water (large quantities)", "ABC dry powder"],
            "meaning_of_labels_url": f"{base}/labels/meaning.pdf",
            "declaration_of_conformity": _doc("EU declaration of conformity", f"{base}/doc.pdf"),
            "declaration_of_conformity_id": "EVP75-DoC-2026-0001",
            "test_reports": [
                _doc("Notified body test report NB-2026-0815", f"{base}/nb-report-0815.pdf"),
            ],
        },
    }


def lfp_storage() -> dict[str, Any]:
    base = "https://docs.example-storage.example/ess200"
    maker = {
        "id": "urn:lei:529900DEMO0EXAMPLE02",
        "name": "Example Energy Storage GmbH (demo data)",
        "address": {
            "street": "Speicherstrasse 4",
            "postal_code": "01067",
            "city": "Dresden",
            "country": "DE",
        },
        "email": "passport@example-storage.example",
    }
    return {
        "passport_id": "urn:uuid:0b7d3c9e-5a61-4f20-8c4e-7d2a9b1e3f55",
        "battery_id": "https://id.example-storage.example/01/09506000134369/21/ESS200-004711",
        "issuer": "urn:lei:529900DEMO0EXAMPLE02",
        "issued_at": "2026-11-02T10:00:00+01:00",
        "status": "original",
        "general": {
            "manufacturer": maker,
            "battery_model": "ESS-200 LFP rack",
            "category": "industrial",
            "stationary_energy_storage": True,
            "manufacturing_place": {
                "name": "Dresden assembly",
                "address": {"city": "Dresden", "country": "DE"},
            },
            "manufacturing_date": "2026-10-20",
            "mass_kg": D("1650"),
            "warranty_period_months": 120,
            "put_into_service_date": "2026-10-30",
        },
        "carbon_footprint": {
            "total_kg_co2e_per_kwh": D("0.0123"),
            "raw_material_acquisition_kg_co2e_per_kwh": D("0.0078"),
            "main_production_kg_co2e_per_kwh": D("0.0035"),
            "distribution_kg_co2e_per_kwh": D("0.0004"),
            "end_of_life_kg_co2e_per_kwh": D("0.0006"),
            "rounding_kg_co2e_per_kwh": D("0.0001"),
            "performance_class": "A",
            "class_scheme": "batterypass-illustrative-2027 (not regulatory)",
            "study_url": f"{base}/cf-study.pdf",
            "absolute_kg_co2e": D("14022"),
        },
        "due_diligence": {"report_url": f"{base}/due-diligence-2026.pdf"},
        "materials": {
            "chemistry": {"family": "lfp", "designation": "LiFePO4 / graphite"},
            "critical_raw_materials": [
                {"name": "Lithium", "cas_number": "7439-93-2", "concentration_percent": D("6.7")},
                {
                    "name": "Natural graphite",
                    "cas_number": "7782-42-5",
                    "concentration_percent": D("12.1"),
                },
                {"name": "Phosphate rock", "concentration_percent": D("13.9")},
            ],
            "hazardous_substances": [
                {
                    "name": "Lithium hexafluorophosphate",
                    "cas_number": "21324-40-3",
                    "ec_number": "244-334-7",
                    "concentration_percent": D("0.9"),
                    "hazard_classes": ["Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1"],
                    "location": "electrolyte",
                },
            ],
            "substance_impact_url": f"{base}/substances.pdf",
            "materials": [
                {
                    "component": "cathode",
                    "name": "LiFePO4",
                    "cas_number": "15365-14-7",
                    "mass_kg": D("520"),
                },
                {
                    "component": "anode",
                    "name": "Graphite",
                    "cas_number": "7782-42-5",
                    "mass_kg": D("200"),
                },
                {"component": "electrolyte", "name": "LiPF6 in EC/DMC", "mass_kg": D("140")},
            ],
            "element_masses": [
                {"element": "lithium", "mass_kg": D("110")},
                {"element": "iron", "mass_kg": D("420")},
                {"element": "phosphorus", "mass_kg": D("230")},
                {"element": "copper", "mass_kg": D("100")},
                {"element": "aluminium", "mass_kg": D("250")},
                {"element": "graphite", "mass_kg": D("200")},
            ],
        },
        "circularity": {
            "recycled_content": [
                {
                    "material": "lithium",
                    "pre_consumer_percent": D("1.0"),
                    "post_consumer_percent": D("5.0"),
                    "total_percent": D("6.0"),
                },
            ],
            "renewable_content_percent": D("1.5"),
            "waste_prevention_info_url": f"{base}/waste-prevention.pdf",
            "separate_collection_info_url": f"{base}/collection.pdf",
            "end_of_life_info_url": f"{base}/end-of-life.pdf",
            "waste_management_info_url": f"{base}/waste-management.pdf",
            "dismantling_information": [_doc("Rack dismantling manual", f"{base}/dismantle.pdf")],
            "part_numbers": [{"component": "Module (16s1p)", "part_number": "ESS200-M16"}],
            "spare_part_sources": [
                {
                    "name": "Example Energy Storage service",
                    "url": "https://service.example-storage.example",
                },
            ],
            "safety_measures": [_doc("Safety and fire protection", f"{base}/safety.pdf")],
        },
        "performance": {
            "rated_capacity_ah": D("280"),
            "certified_usable_energy_kwh": D("190"),
            "minimum_voltage_v": D("560.0"),
            "nominal_voltage_v": D("716.8"),
            "maximum_voltage_v": D("817.6"),
            "original_power_capability": [
                {"state_of_charge_percent": D("80"), "power_w": D("100000")},
                {"state_of_charge_percent": D("20"), "power_w": D("100000")},
            ],
            "maximum_permitted_power_w": D("100000"),
            "power_to_energy_ratio_w_per_wh": D("0.5"),
            "expected_lifetime_cycles": 6000,
            "cycle_life_reference_test": "IEC 62620:2014, clause 6.6",
            "cycle_life_c_rate": D("0.5"),
            "idle_temperature_min_c": D("-20"),
            "idle_temperature_max_c": D("55"),
            "idle_temperature_reference_test": "IEC 62619:2022, clause 7.2 (storage test)",
            "initial_round_trip_efficiency_percent": D("95.0"),
            "round_trip_efficiency_at_50pct_cycle_life_percent": D("93.5"),
            "internal_resistance_cell_ohm": D("0.00025"),
            "internal_resistance_pack_ohm": D("0.062"),
            "expected_lifetime_years": D("15"),
            "capacity_fade_percent": D("0"),
            "power_fade_percent": D("0"),
            "round_trip_efficiency_fade_percent": D("0"),
            "internal_resistance_increase_percent": D("0"),
            "initial_self_discharge_percent_per_month": D("2.5"),
        },
        "state": {
            "state_of_health": {
                "measured_at": "2026-11-01T12:00:00+01:00",
                "remaining_capacity_ah": D("280"),
                "remaining_energy_kwh": D("190"),
                "remaining_power_capability": [
                    {"state_of_charge_percent": D("80"), "power_w": D("98500")},
                    {"state_of_charge_percent": D("20"), "power_w": D("97000")},
                ],
                "remaining_round_trip_efficiency_percent": D("95.0"),
                "current_self_discharge_percent_per_month": D("2.5"),
                "self_discharge_evolution_percent": D("0"),
            },
            "usage": {
                "recorded_at": "2026-11-01T12:00:00+01:00",
                "state_of_charge_percent": D("55"),
                "full_cycles": 2,
                "energy_throughput_kwh": D("381"),
                "capacity_throughput_ah": D("1120"),
                "deep_discharge_events": 0,
                "overcharge_events": 0,
                "temperature_c": D("21"),
                "minutes_above_temperature_boundary": 0,
                "minutes_below_temperature_boundary": 0,
                "minutes_charging_above_boundary": 0,
                "minutes_charging_below_boundary": 0,
                "negative_events": [],
            },
        },
        "labels": {
            "separate_collection_symbol": {
                "title": "Crossed-out wheeled bin symbol",
                "url": f"{base}/labels/wheelie-bin.svg",
                "media_type": "image/svg+xml",
            },
            "cadmium_lead_symbols": [],
            "extinguishing_agents": ["Water", "Aerosol fire suppression (rack level)"],
            "meaning_of_labels_url": f"{base}/labels.pdf",
            "declaration_of_conformity": _doc("EU declaration of conformity", f"{base}/doc.pdf"),
            "declaration_of_conformity_id": "ESS200-DoC-2026-0007",
            "test_reports": [_doc("Safety test report (Annex V)", f"{base}/annex-v-report.pdf")],
        },
    }


def lmt_ebike() -> dict[str, Any]:
    base = "https://docs.example-ebike.example/eb36"
    maker = {
        "id": "urn:lei:529900DEMO0EXAMPLE03",
        "name": "Example E-Bike Power B.V. (demo data)",
        "address": {
            "street": "Fietsweg 12",
            "postal_code": "3511 AB",
            "city": "Utrecht",
            "country": "NL",
        },
        "website": "https://www.example-ebike.example",
    }
    return {
        "passport_id": "urn:uuid:9a2e4c71-d3f8-4b6a-a1c5-3e7f9b2d4c08",
        "battery_id": "https://id.example-ebike.example/01/09506000134376/21/EB36-2026-88412",
        "issuer": "urn:lei:529900DEMO0EXAMPLE03",
        "issued_at": "2026-09-01T09:00:00+02:00",
        "status": "original",
        "general": {
            "manufacturer": maker,
            "battery_model": "EB36-500 downtube pack",
            "category": "lmt",
            "manufacturing_place": {
                "name": "Example cell and pack site",
                "address": {"city": "Huizhou", "country": "CN"},
            },
            "manufacturing_date": "2026-08-18",
            "mass_kg": D("2.9"),
            "warranty_period_months": 24,
            "put_into_service_date": "2026-08-28",
        },
        "carbon_footprint": {
            "total_kg_co2e_per_kwh": D("0.117"),
            "raw_material_acquisition_kg_co2e_per_kwh": D("0.071"),
            "main_production_kg_co2e_per_kwh": D("0.038"),
            "distribution_kg_co2e_per_kwh": D("0.003"),
            "end_of_life_kg_co2e_per_kwh": D("0.005"),
            "rounding_kg_co2e_per_kwh": D("0.001"),
            "performance_class": "C",
            "class_scheme": "batterypass-illustrative-2027 (not regulatory)",
            "study_url": f"{base}/cf-study.pdf",
            "absolute_kg_co2e": D("44"),
        },
        "due_diligence": {"report_url": f"{base}/due-diligence.pdf"},
        "materials": {
            "chemistry": {"family": "nmc", "designation": "NMC 622 / graphite, 21700 cells"},
            "critical_raw_materials": [
                {"name": "Cobalt", "cas_number": "7440-48-4", "concentration_percent": D("3.1")},
                {"name": "Lithium", "cas_number": "7439-93-2", "concentration_percent": D("2.1")},
                {"name": "Nickel", "cas_number": "7440-02-0", "concentration_percent": D("9.7")},
                {
                    "name": "Natural graphite",
                    "cas_number": "7782-42-5",
                    "concentration_percent": D("14.0"),
                },
            ],
            "hazardous_substances": [
                {
                    "name": "Lithium hexafluorophosphate",
                    "cas_number": "21324-40-3",
                    "ec_number": "244-334-7",
                    "concentration_percent": D("1.1"),
                    "hazard_classes": ["Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1"],
                    "location": "electrolyte",
                },
            ],
            "substance_impact_url": f"{base}/substances.pdf",
            "materials": [
                {"component": "cathode", "name": "LiNi0.6Mn0.2Co0.2O2", "mass_kg": D("0.62")},
                {
                    "component": "anode",
                    "name": "Graphite",
                    "cas_number": "7782-42-5",
                    "mass_kg": D("0.41"),
                },
                {"component": "electrolyte", "name": "LiPF6 in EC/DEC", "mass_kg": D("0.27")},
            ],
            "element_masses": [
                {"element": "nickel", "mass_kg": D("0.28")},
                {"element": "cobalt", "mass_kg": D("0.09")},
                {"element": "manganese", "mass_kg": D("0.09")},
                {"element": "lithium", "mass_kg": D("0.06")},
                {"element": "copper", "mass_kg": D("0.25")},
                {"element": "aluminium", "mass_kg": D("0.6")},
            ],
        },
        "circularity": {
            "recycled_content": [
                {
                    "material": "cobalt",
                    "pre_consumer_percent": D("3.0"),
                    "post_consumer_percent": D("10.0"),
                    "total_percent": D("13.0"),
                },
                {
                    "material": "nickel",
                    "pre_consumer_percent": D("1.0"),
                    "post_consumer_percent": D("3.0"),
                    "total_percent": D("4.0"),
                },
                {
                    "material": "lithium",
                    "pre_consumer_percent": D("0.5"),
                    "post_consumer_percent": D("2.0"),
                    "total_percent": D("2.5"),
                },
            ],
            "renewable_content_percent": D("0"),
            "waste_prevention_info_url": f"{base}/waste-prevention.pdf",
            "separate_collection_info_url": f"{base}/collection.pdf",
            "end_of_life_info_url": f"{base}/end-of-life.pdf",
            "waste_management_info_url": f"{base}/waste-management.pdf",
            "dismantling_information": [_doc("Pack opening guide", f"{base}/dismantle.pdf")],
            "part_numbers": [{"component": "Pack housing", "part_number": "EB36-HSG-02"}],
            "spare_part_sources": [
                {
                    "name": "Example E-Bike dealer network",
                    "url": "https://dealers.example-ebike.example",
                }
            ],
            "safety_measures": [_doc("Charging and storage safety", f"{base}/safety.pdf")],
        },
        "performance": {
            "rated_capacity_ah": D("13.6"),
            "certified_usable_energy_kwh": D("0.47"),
            "minimum_voltage_v": D("30.0"),
            "nominal_voltage_v": D("36.0"),
            "maximum_voltage_v": D("42.0"),
            "original_power_capability": [
                {"state_of_charge_percent": D("80"), "power_w": D("900")},
                {"state_of_charge_percent": D("20"), "power_w": D("650")},
            ],
            "maximum_permitted_power_w": D("750"),
            "expected_lifetime_cycles": 800,
            "cycle_life_reference_test": "EN 50604-1:2016 + A1:2021, cycle-life annex",
            "cycle_life_c_rate": D("0.5"),
            "idle_temperature_min_c": D("-20"),
            "idle_temperature_max_c": D("45"),
            "idle_temperature_reference_test": "EN 50604-1:2016 + A1:2021, storage test",
            "initial_round_trip_efficiency_percent": D("93.0"),
            "round_trip_efficiency_at_50pct_cycle_life_percent": D("90.5"),
            "internal_resistance_cell_ohm": D("0.018"),
            "internal_resistance_pack_ohm": D("0.21"),
            "expected_lifetime_years": D("5"),
            "capacity_fade_percent": D("0"),
            "power_fade_percent": D("0"),
            "round_trip_efficiency_fade_percent": D("0"),
            "internal_resistance_increase_percent": D("0"),
            "initial_self_discharge_percent_per_month": D("3"),
        },
        "state": {
            "state_of_health": {
                "measured_at": "2026-08-31T18:00:00+02:00",
                "remaining_capacity_ah": D("13.6"),
                "remaining_power_capability": [
                    {"state_of_charge_percent": D("80"), "power_w": D("870")},
                    {"state_of_charge_percent": D("20"), "power_w": D("610")},
                ],
                "remaining_round_trip_efficiency_percent": D("93.0"),
                "current_self_discharge_percent_per_month": D("3"),
            },
            "usage": {
                "recorded_at": "2026-08-31T18:00:00+02:00",
                "state_of_charge_percent": D("80"),
                "full_cycles": 1,
                "energy_throughput_kwh": D("0.9"),
                "capacity_throughput_ah": D("26"),
                "deep_discharge_events": 0,
                "overcharge_events": 0,
                "temperature_c": D("22"),
                "minutes_above_temperature_boundary": 0,
                "minutes_below_temperature_boundary": 0,
                "minutes_charging_above_boundary": 0,
                "minutes_charging_below_boundary": 0,
                "negative_events": [],
            },
        },
        "labels": {
            "separate_collection_symbol": {
                "title": "Crossed-out wheeled bin symbol",
                "url": f"{base}/labels/wheelie-bin.svg",
                "media_type": "image/svg+xml",
            },
            "cadmium_lead_symbols": [],
            "extinguishing_agents": ["Water"],
            "meaning_of_labels_url": f"{base}/labels.pdf",
            "declaration_of_conformity": _doc("EU declaration of conformity", f"{base}/doc.pdf"),
            "declaration_of_conformity_id": "EB36-DoC-2026-0003",
            "test_reports": [_doc("EN 50604-1 test report", f"{base}/en50604-report.pdf")],
        },
    }


def ev_dual_market() -> dict[str, Any]:
    """The EV pack of ev_nmc, another unit, sold in the EU and carrying its Chinese data.

    GB/T 34014 codes (pack, modules, cells) and China's carbon-footprint declaration sit in
    section ``china`` next to the EU declaration; the codes, the manufacturer code, the
    verifiers and every figure are invented. The date characters of the codes follow
    specs/china.md (the year character ``G`` is 2026 under the assumed year table).
    """
    data = ev_nmc()
    base = "https://docs.example-cells.example/evp75"
    data["passport_id"] = "urn:uuid:0b7d3c9e-51a2-4c6f-8e13-7a9b2c4d6e81"
    data["battery_id"] = "https://id.example-cells.example/01/09506000134352/21/EVP75-000457"
    data["carbon_footprint"] |= {
        "method": "Annex II of Regulation (EU) 2023/1542 (demo data)",
        "boundary": "raw material acquisition and pre-processing, main product production, "
        "distribution, end of life and recycling (Annex II)",
        "verifier": "Example Notified Body (demo data)",
    }
    pack = "X9DPE75EVP75SZG9X0000457"  # made 30 September 2026 (G 9 X)
    modules = [f"X9DME12EVM12SZG9S000{n:04d}" for n in (1201, 1202)]  # 25 September
    cells = [f"K7CCE03NCM811AG9C{n:07d}" for n in (88001, 88002, 88003, 88004)]  # 12 September
    data["china"] = {
        "gbt34014_code": pack,
        "gbt34014_components": [
            {"code": modules[0]},
            {"code": modules[1]},
            {"code": cells[0], "part_of": modules[0]},
            {"code": cells[1], "part_of": modules[0]},
            {"code": cells[2], "part_of": modules[1]},
            {"code": cells[3], "part_of": modules[1]},
        ],
        "carbon_footprint": {
            "kg_co2e_per_kwh": D("0.047"),
            "lifetime_energy_kwh": D("112500"),
            "method": "MIIT traction-battery carbon-footprint accounting rules, trial phase "
            "(demo data)",
            "boundary": "material acquisition, battery manufacturing, distribution, recycling",
            "verifier": "Example Verification Centre (Shenzhen) Co., Ltd. (demo data)",
            "verification_report_url": f"{base}/cn-carbon-footprint-verification-2026.pdf",
            "document_url": f"{base}/cn-carbon-footprint-declaration-2026.pdf",
            "declared_on": "2026-10-08",
        },
    }
    return data


EXAMPLES = {
    "ev-nmc.json": ev_nmc,
    "lfp-storage.json": lfp_storage,
    "lmt-ebike.json": lmt_ebike,
    "ev-dual-market.json": ev_dual_market,
}


def main(argv: list[str]) -> int:
    force = "--force" in argv
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in EXAMPLES.items():
        text = bp_json.dumps(parse_passport(build(), source=name))
        path = OUT / name
        if path.exists() and path.read_text(encoding="utf-8") != text and not force:
            print(f"{path}: differs from the built example; run with --force to replace it")
            return 1
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        print(f"wrote {path}")
    for copy, original in DEMO_COPIES.items():
        data = original.read_bytes()
        if not copy.exists() or copy.read_bytes() != data:
            tmp = copy.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(copy)
            print(f"wrote {copy}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
