/**
 * Attribution as the parse worker's event stage (ParseContext.eventStage, run by
 * server/ingest/parsers/traffic/line-worker.ts): a gateway log parsed on a worker thread has each event attributed
 * there, in file order, and TrafficFold.add takes the attribution it carries instead of computing it on the ingest
 * thread, which then only aggregates and writes. Same Attributor, same setup: the same answers as in-thread.
 *
 * An attribution crosses to the ingest thread as the number of its shape (all its fields but the path-parameter
 * values: a few thousand distinct ones in most logs, and the numbering starts over past SHAPE_LIMIT), with the shape
 * itself on the first event that has it, and the values apart. Copying five strings per event between threads cost
 * more than attributing them did.
 */
import { pathToFileURL } from "node:url";
import { fromRoot } from "@/server/db/root";
import type { EventStage } from "@/server/ingest/contract";
import type { TrafficEvent } from "@/server/domain/records";
import type { Attribution } from "./aggregate";
import { Attributor, type AttributorSetup } from "./attribute";

/** An attribution without its path-parameter values. */
export type AttributionShape = Omit<Attribution, "params">;

/** An event as the stage leaves it (the fields are absent when it was parsed on the ingest thread). */
export type AttributedEvent = TrafficEvent & {
  /** The number of its attribution's shape, counted from 0 in the order the stage first met them. */
  atShape?: number;
  /** The shape, on the first event that has it. */
  atNew?: AttributionShape;
  /** The stage started numbering over at this event (see SHAPE_LIMIT). */
  atReset?: true;
  /** The attribution's path-parameter values, when it has any. */
  atParams?: Record<string, string>;
};

/** The stage to hand to the parser for `setup`. */
export function attributionStage(setup: AttributorSetup): EventStage {
  return { module: pathToFileURL(fromRoot("server/traffic/attribute-stage.ts")).href, data: setup };
}

/** Shapes numbered before the stage starts over (a log of many distinct inferred paths, e.g. a scanner's). */
export const SHAPE_LIMIT = 50_000;

/** Called in the worker with the stage's data. */
export function createEventStage(setup: AttributorSetup): (event: AttributedEvent) => void {
  const attributor = new Attributor(setup.apis, setup.endpoints, setup.apiOption);
  const shapes = new ShapeNumbers(SHAPE_LIMIT);
  return (event) => shapes.mark(event, attributor.attribute(event));
}

/** The worker's side: numbers attributions by shape and marks events with them. */
export class ShapeNumbers {
  /** Shape numbers by scope key, path template, host and endpoint id (matched and apiId follow from them). */
  private shapes = new Map<string, Map<string, Map<string | null, Map<string | null, number>>>>();
  private next = 0;

  constructor(private readonly limit: number) {}

  mark(event: AttributedEvent, at: Attribution): void {
    let byTemplate = this.shapes.get(at.scopeKey);
    if (byTemplate === undefined) this.shapes.set(at.scopeKey, (byTemplate = new Map()));
    let byHost = byTemplate.get(at.pathTemplate);
    if (byHost === undefined) byTemplate.set(at.pathTemplate, (byHost = new Map()));
    let byEndpoint = byHost.get(at.host);
    if (byEndpoint === undefined) byHost.set(at.host, (byEndpoint = new Map()));
    let shape = byEndpoint.get(at.endpointId);
    if (shape === undefined) {
      if (this.next >= this.limit) {
        // Start over, on both sides: the ingest thread drops its table when it sees atReset.
        this.shapes = new Map();
        this.next = 0;
        event.atReset = true;
        return this.mark(event, at);
      }
      shape = this.next++;
      byEndpoint.set(at.endpointId, shape);
      event.atNew = { scopeKey: at.scopeKey, apiId: at.apiId, endpointId: at.endpointId, host: at.host, pathTemplate: at.pathTemplate, matched: at.matched };
    }
    event.atShape = shape;
    if (at.params !== null) event.atParams = at.params;
  }
}

/** The ingest thread's side: attributions rebuilt from the shapes the stage sent. */
export class AttributionShapes {
  private shapes: Attribution[] = [];

  /** The attribution `event` carries, or undefined when it carries none. */
  of(event: AttributedEvent): Attribution | undefined {
    const n = event.atShape;
    if (n === undefined) return undefined;
    if (event.atReset === true) this.shapes = [];
    if (event.atNew !== undefined) this.shapes[n] = { ...event.atNew, params: null };
    const shape = this.shapes[n];
    if (shape === undefined) throw new Error(`attribution shape ${n} arrived before its definition`);
    const params = event.atParams;
    if (params === undefined) return shape;
    return { scopeKey: shape.scopeKey, apiId: shape.apiId, endpointId: shape.endpointId, host: shape.host, pathTemplate: shape.pathTemplate, matched: shape.matched, params };
  }
}
