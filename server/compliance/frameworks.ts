/**
 * Compliance frameworks: each one's control catalogue (id, title), limited to the controls Postern's evidence can
 * speak to. Data only; the mapping from rules, CWEs and OWASP categories to these controls is ./mapping.ts.
 *
 * Ids and titles were checked against the CISO Assistant framework libraries
 * (github.com/intuitem/ciso-assistant-community, backend/library/libraries/):
 * - iso27001-2022.yaml (library version 3, commit 09c9b01f70f6bf3dfbf6d8bd76a3d56cc49f1e0f): every Annex A id and
 *   title below. The library writes ids as "A.8.5"; the standard's Annex A table writes "8.5", which is used here.
 * - soc2-2017.yaml (library version 1, commit 6420df0963a784e0c354c8621fb39b013017bb46): every criterion below
 *   (CC1.3, CC6.1, CC6.3, CC6.6, CC6.7, CC7.1, CC7.2, CC8.1, A1.1). The TSC have no short titles: the title is the
 *   criterion's text (apostrophes normalised to ASCII). CC6.6 is logical access against threats from outside the
 *   system boundaries; physical access is CC6.4 (not used).
 * - nist-csf-2.0.yaml (library version 6, publication_date 2025-07-09, commit 0211ba30aefe0a1a75bfafad50f6daa72c67b2e6):
 *   every subcategory below.
 * - PCI DSS 4.0: the stored copy of the repository yielded no pci-dss library file, so no maintained open catalogue
 *   was read for it. Titles are the defined approach requirement's lead sentence of PCI DSS v4.0 (v4.0.1 renumbered
 *   none of these), trailing bullet lists shortened to "…"; each was compared with several published copies of the
 *   requirement text (e.g. the PCI DSS v4.0 sections in Microsoft Entra's PCI guidance). 8.3.2 is strong
 *   cryptography for authentication factors.
 * - OWASP API Security Top 10 2023: ids and titles are the project's own table (server/domain/owasp.ts).
 */
import { OWASP_API_CATEGORIES, OWASP_API_TITLES } from "@/server/domain/owasp";

export type FrameworkId = "owasp-api-2023" | "pci-dss-4.0" | "soc2" | "iso27001-2022" | "nist-csf-2.0";

export const FRAMEWORK_IDS: readonly FrameworkId[] = ["owasp-api-2023", "pci-dss-4.0", "soc2", "iso27001-2022", "nist-csf-2.0"];

export interface Control {
  id: string;
  title: string;
}

export interface Framework {
  id: FrameworkId;
  name: string;
  version: string;
  controls: readonly Control[];
}

const OWASP_API_2023: Framework = {
  id: "owasp-api-2023",
  name: "OWASP API Security Top 10",
  version: "2023",
  controls: OWASP_API_CATEGORIES.map((id) => ({ id, title: OWASP_API_TITLES[id] })),
};

const PCI_DSS_4_0: Framework = {
  id: "pci-dss-4.0",
  name: "PCI DSS",
  version: "4.0",
  controls: [
    { id: "2.2.4", title: "Only necessary services, protocols, daemons, and functions are enabled, and all unnecessary functionality is removed or disabled." },
    { id: "4.2.1", title: "Strong cryptography and security protocols are implemented as follows to safeguard PAN during transmission over open, public networks: …" },
    { id: "6.2.4", title: "Software engineering techniques or other methods are defined and in use by software development personnel to prevent or mitigate common software attacks and related vulnerabilities in bespoke and custom software, including but not limited to the following: …" },
    { id: "6.3.1", title: "Security vulnerabilities are identified and managed as follows: …" },
    { id: "6.3.2", title: "An inventory of bespoke and custom software, and third-party software components incorporated into bespoke and custom software is maintained to facilitate vulnerability and patch management." },
    { id: "6.4.1", title: "For public-facing web applications, new threats and vulnerabilities are addressed on an ongoing basis and these applications are protected against known attacks as follows: …" },
    { id: "6.4.2", title: "For public-facing web applications, an automated technical solution is deployed that continually detects and prevents web-based attacks, with at least the following: …" },
    { id: "7.2.5", title: "All application and system accounts and related access privileges are assigned and managed as follows: …" },
    { id: "8.2.2", title: "Group, shared, or generic IDs, or other shared authentication credentials are only used when necessary on an exception basis, and are managed as follows: …" },
    { id: "8.3.1", title: "All user access to system components for users and administrators is authenticated via at least one of the following authentication factors: …" },
    { id: "8.3.2", title: "Strong cryptography is used to render all authentication factors unreadable during transmission and storage on all system components." },
    { id: "8.3.4", title: "Invalid authentication attempts are limited by: …" },
    { id: "8.6.2", title: "Passwords/passphrases for any application and system accounts that can be used for interactive login are not hard coded in scripts, configuration/property files, or bespoke and custom source code." },
    { id: "8.6.3", title: "Passwords/passphrases for any application and system accounts are protected against misuse as follows: …" },
    { id: "10.2.1", title: "Audit logs are enabled and active for all system components and cardholder data." },
    { id: "10.4.1.1", title: "Automated mechanisms are used to perform audit log reviews." },
    { id: "11.5.1", title: "Intrusion-detection and/or intrusion-prevention techniques are used to detect and/or prevent intrusions into the network as follows: …" },
    { id: "12.5.1", title: "An inventory of system components that are in scope for PCI DSS, including a description of function/use, is maintained and kept current." },
  ],
};

const SOC2: Framework = {
  id: "soc2",
  name: "SOC 2 Trust Services Criteria",
  version: "2017",
  controls: [
    { id: "CC1.3", title: "Management establishes, with board oversight, structures, reporting lines, and appropriate authorities and responsibilities in the pursuit of objectives." },
    { id: "CC6.1", title: "The entity implements logical access security software, infrastructure, and architectures over protected information assets to protect them from security events to meet the entity's objectives." },
    { id: "CC6.3", title: "The entity authorizes, modifies, or removes access to data, software, functions, and other protected information assets based on roles, responsibilities, or the system design and changes, giving consideration to the concepts of least privilege and segregation of duties, to meet the entity's objectives." },
    { id: "CC6.6", title: "The entity implements logical access security measures to protect against threats from sources outside its system boundaries." },
    { id: "CC6.7", title: "The entity restricts the transmission, movement, and removal of information to authorized internal and external users and processes, and protects it during transmission, movement, or removal to meet the entity's objectives." },
    { id: "CC7.1", title: "To meet its objectives, the entity uses detection and monitoring procedures to identify (1) changes to configurations that result in the introduction of new vulnerabilities, and (2) susceptibilities to newly discovered vulnerabilities." },
    { id: "CC7.2", title: "The entity monitors system components and the operation of those components for anomalies that are indicative of malicious acts, natural disasters, and errors affecting the entity's ability to meet its objectives; anomalies are analyzed to determine whether they represent security events." },
    { id: "CC8.1", title: "The entity authorizes, designs, develops or acquires, configures, documents, tests, approves, and implements changes to infrastructure, data, software, and procedures to meet its objectives." },
    { id: "A1.1", title: "The entity maintains, monitors, and evaluates current processing capacity and use of system components (infrastructure, data, and software) to manage capacity demand and to enable the implementation of additional capacity to help meet its objectives." },
  ],
};

const ISO27001_2022: Framework = {
  id: "iso27001-2022",
  name: "ISO/IEC 27001:2022 Annex A",
  version: "2022",
  controls: [
    { id: "5.9", title: "Inventory of information and other associated assets" },
    { id: "5.15", title: "Access control" },
    { id: "5.17", title: "Authentication information" },
    { id: "5.18", title: "Access rights" },
    { id: "8.2", title: "Privileged access rights" },
    { id: "8.3", title: "Information access restriction" },
    { id: "8.5", title: "Secure authentication" },
    { id: "8.6", title: "Capacity management" },
    { id: "8.8", title: "Management of technical vulnerabilities" },
    { id: "8.9", title: "Configuration management" },
    { id: "8.11", title: "Data masking" },
    { id: "8.12", title: "Data leakage prevention" },
    { id: "8.15", title: "Logging" },
    { id: "8.16", title: "Monitoring activities" },
    { id: "8.24", title: "Use of cryptography" },
    { id: "8.25", title: "Secure development life cycle" },
    { id: "8.26", title: "Application security requirements" },
    { id: "8.27", title: "Secure system architecture and engineering principles" },
    { id: "8.28", title: "Secure coding" },
    { id: "8.29", title: "Security testing in development and acceptance" },
    { id: "8.32", title: "Change management" },
  ],
};

const NIST_CSF_2_0: Framework = {
  id: "nist-csf-2.0",
  name: "NIST Cybersecurity Framework",
  version: "2.0",
  controls: [
    { id: "GV.RR-02", title: "Roles, responsibilities, and authorities related to cybersecurity risk management are established, communicated, understood, and enforced" },
    { id: "ID.AM-02", title: "Inventories of software, services, and systems managed by the organization are maintained" },
    { id: "ID.AM-03", title: "Representations of the organization's authorized network communication and internal and external network data flows are maintained" },
    { id: "ID.AM-07", title: "Inventories of data and corresponding metadata for designated data types are maintained" },
    { id: "ID.AM-08", title: "Systems, hardware, software, services, and data are managed throughout their life cycles" },
    { id: "ID.RA-01", title: "Vulnerabilities in assets are identified, validated, and recorded" },
    { id: "PR.AA-01", title: "Identities and credentials for authorized users, services, and hardware are managed by the organization" },
    { id: "PR.AA-03", title: "Users, services, and hardware are authenticated" },
    { id: "PR.AA-05", title: "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties" },
    { id: "PR.DS-02", title: "The confidentiality, integrity, and availability of data-in-transit are protected" },
    { id: "PR.PS-01", title: "Configuration management practices are established and applied" },
    { id: "PR.PS-04", title: "Log records are generated and made available for continuous monitoring" },
    { id: "PR.IR-04", title: "Adequate resource capacity to ensure availability is maintained" },
    { id: "DE.CM-01", title: "Networks and network services are monitored to find potentially adverse events" },
    { id: "DE.CM-09", title: "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events" },
  ],
};

export const FRAMEWORKS: Readonly<Record<FrameworkId, Framework>> = {
  "owasp-api-2023": OWASP_API_2023,
  "pci-dss-4.0": PCI_DSS_4_0,
  soc2: SOC2,
  "iso27001-2022": ISO27001_2022,
  "nist-csf-2.0": NIST_CSF_2_0,
};

export function isFrameworkId(value: unknown): value is FrameworkId {
  return typeof value === "string" && (FRAMEWORK_IDS as readonly string[]).includes(value);
}

/** The control of a framework, or undefined when the catalogue has no such id. */
export function findControl(framework: FrameworkId, controlId: string): Control | undefined {
  return FRAMEWORKS[framework].controls.find((c) => c.id === controlId);
}
